"""The completer over the real catalog, driven the way the prompt drives it: a Document with a cursor,
get_completions, and the chosen completion applied to a prompt_toolkit Buffer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent, Completion
from prompt_toolkit.document import Document

from awsql_shell.catalog import Catalog
from awsql_shell.shell.completion import AwsqlCompleter, MetaCommandInfo, SessionValues


@pytest.fixture(scope="module")
def values() -> SessionValues:
    found = SessionValues(default_region="eu-west-1", profile_names=("default", "prod"))
    found.remember("AWS::Lambda::Function", ["billing-worker", "orders-api"])
    found.remember("AWS::Lambda::Function", ["orders-api"])  # seen again: now the most recent
    found.known_variables = {"stage": "prod", "region_name": "us-east-1"}
    return found


@pytest.fixture(scope="module")
def completer(catalog: Catalog, values: SessionValues) -> AwsqlCompleter:
    return AwsqlCompleter(catalog, values)


def document(case: str) -> Document:
    before, _, after = case.partition("|")
    return Document(before + after, cursor_position=len(before))


def complete(completer: AwsqlCompleter, case: str) -> list[Completion]:
    return list(completer.get_completions(document(case), CompleteEvent(completion_requested=True)))


def texts(completer: AwsqlCompleter, case: str) -> list[str]:
    return [completion.text for completion in complete(completer, case)]


def applied(case: str, completion: Completion) -> str:
    buffer = Buffer(document=document(case))
    buffer.apply_completion(completion)
    return buffer.text


def first_applied(completer: AwsqlCompleter, case: str) -> str:
    found = complete(completer, case)
    assert found, f"no completion for {case!r}"
    return applied(case, found[0])


# -- names -----------------------------------------------------------------------------------------


def test_a_partial_service_completes_to_the_service(completer: AwsqlCompleter) -> None:
    assert first_applied(completer, "SELECT * FROM awscc.lam|") == "SELECT * FROM awscc.lambda"


def test_the_provider_is_offered_where_a_resource_name_starts(completer: AwsqlCompleter) -> None:
    assert first_applied(completer, "SELECT * FROM aw|") == "SELECT * FROM awscc"


def test_a_service_lists_its_resources_and_list_views_with_their_type(completer: AwsqlCompleter) -> None:
    found = {c.text: c.display_meta_text for c in complete(completer, "SELECT * FROM awscc.lambda.|")}
    assert {"functions", "event_invoke_configs", "event_invoke_configs_list_only"} <= set(found)
    assert found["functions"] == "Lambda::Function"  # AWS:: left out: it takes room and says nothing
    assert found["event_invoke_configs"] == "Lambda::EventInvokeConfig"
    assert found["event_invoke_configs_list_only"].startswith("Lambda::EventInvokeConfig")
    assert all(meta.startswith("Lambda::") for meta in found.values())


def test_from_l_offers_services_and_resources_starting_with_l_ranked(completer: AwsqlCompleter) -> None:
    texts_found = [c.text for c in complete(completer, "SELECT * FROM l|")]
    assert texts_found[:2] == ["awscc.lex", "awscc.logs"]  # services first, shortest first
    assert "awscc.lambda" in texts_found[:10] and "awscc.lambda.functions" in texts_found
    assert all(text.removeprefix("awscc.").startswith("l") for text in texts_found[:100])


def test_update_set_offers_only_updatable_columns(completer: AwsqlCompleter) -> None:
    found = [c.text for c in complete(completer, "UPDATE awscc.logs.log_groups SET |")]
    assert "retention_in_days" in found and "PatchDocument" in found
    assert not {"arn", "log_group_name", "region"} & set(found)  # read-only, create-only, where to call


def test_insert_offers_writable_properties_required_first(completer: AwsqlCompleter) -> None:
    found = [c.text for c in complete(completer, "INSERT INTO awscc.lambda.functions (|")]
    assert found[:2] == ["Code", "Role"] and "Arn" not in found


def test_at_80_columns_the_menu_leaves_the_type_room(completer: AwsqlCompleter) -> None:
    """prompt_toolkit gives the names their widest width first; the type gets what is left of the line."""
    for typed in ("SELECT * FROM ec2.|", "SELECT * FROM la|", "SELECT * FROM sagemaker.|"):
        found = complete(completer, typed)
        name_width = max(len(c.display_text) for c in found) + 2
        assert 80 - name_width >= 38
    ec2 = {c.text: c.display_text for c in complete(completer, "SELECT * FROM ec2.|")}
    long_name = max(ec2, key=len)
    assert "…" in ec2[long_name] and len(ec2[long_name]) == 40


def test_resource_matching_is_fuzzy(completer: AwsqlCompleter) -> None:
    found = texts(completer, "SELECT * FROM awscc.lambda.evic|")
    assert found[0] == "event_invoke_configs"
    assert "event_invoke_configs_list_only" in found
    assert (
        first_applied(completer, "SELECT * FROM awscc.lambda.evic|")
        == "SELECT * FROM awscc.lambda.event_invoke_configs"
    )


def test_word_initials_find_a_resource(completer: AwsqlCompleter) -> None:
    assert texts(completer, "SELECT * FROM awscc.ec2.sg|")[0] == "security_groups"
    assert texts(completer, "SELECT * FROM awscc.logs.lg|")[0] == "log_groups"


def test_prefix_matches_come_before_inner_and_scattered_ones(completer: AwsqlCompleter) -> None:
    found = texts(completer, "SELECT * FROM awscc.lambda.ver|")
    assert found.index("versions") < found.index("layer_versions")
    found = texts(completer, "SELECT * FROM awscc.ec2.vpc|")
    assert found[0] == "vpcs"
    prefix_matches = [name for name in found if name.startswith("vpc")]
    assert found[: len(prefix_matches)] == prefix_matches


def test_matching_ignores_case(completer: AwsqlCompleter) -> None:
    assert first_applied(completer, "SELECT * FROM AWSCC.LAM|") == "SELECT * FROM AWSCC.lambda"


def test_a_bare_fragment_finds_resources_across_services(completer: AwsqlCompleter) -> None:
    found = texts(completer, "SELECT * FROM event_invoke|")
    assert "awscc.lambda.event_invoke_configs" in found
    assert first_applied(completer, "DESCRIBE lambda.fun|") == "DESCRIBE lambda.functions"


def test_raw_cloud_control_views_are_offered(completer: AwsqlCompleter) -> None:
    assert {"resources", "resource", "resource_requests", "resource_request"} <= set(
        texts(completer, "SELECT * FROM awscc.cloud_control.|")
    )
    assert "cloud_control" in texts(completer, "SELECT * FROM awscc.clo|")


def test_show_resources_in_offers_services_with_the_provider(completer: AwsqlCompleter) -> None:
    assert first_applied(completer, "SHOW RESOURCES IN lamb|") == "SHOW RESOURCES IN awscc.lambda"


def test_services_say_how_many_resources_they_have(completer: AwsqlCompleter, catalog: Catalog) -> None:
    counts = {service.name: service.resources for service in catalog.services()}
    single = next(name for name, count in sorted(counts.items()) if count == 1)
    found = {c.text: c.display_meta_text for c in complete(completer, "SELECT * FROM awscc.|")}
    assert found[single] == "1 resource"
    assert found["lambda"] == f"{counts['lambda']} resources"


def test_unknown_service_offers_nothing(completer: AwsqlCompleter) -> None:
    assert complete(completer, "SELECT * FROM awscc.nosuchservice.|") == []


# -- columns ---------------------------------------------------------------------------------------


def test_an_alias_qualifier_completes_that_tables_columns(completer: AwsqlCompleter) -> None:
    case = "SELECT f.fun| FROM awscc.lambda.functions f"
    found = complete(completer, case)
    assert found[0].text == "function_name"
    assert applied(case, found[0]) == "SELECT f.function_name FROM awscc.lambda.functions f"


def test_columns_are_offered_in_the_select_list_before_from(completer: AwsqlCompleter) -> None:
    found = {c.text: c.display_meta_text for c in complete(completer, "SELECT | FROM awscc.lambda.functions")}
    assert found["function_name"] == "string"
    assert found["memory_size"] == "integer"
    assert found["environment"] == "object"
    assert "region" in found


def test_qualified_columns_come_only_from_that_table(completer: AwsqlCompleter) -> None:
    case = (
        "SELECT c.| FROM awscc.lambda.functions f "
        "JOIN awscc.lambda.event_invoke_configs c ON c.function_name = f.function_name"
    )
    found = set(texts(completer, case))
    assert {"maximum_retry_attempts", "destination_config", "qualifier"} <= found
    assert "memory_size" not in found


def test_where_offers_columns_and_the_identifier_parameter(completer: AwsqlCompleter) -> None:
    found = texts(completer, "SELECT * FROM awscc.lambda.functions WHERE mem|")
    assert found[0] == "memory_size"
    assert "Identifier" in texts(completer, "SELECT * FROM awscc.lambda.functions WHERE ide|")


def test_group_by_and_order_by_offer_columns(completer: AwsqlCompleter) -> None:
    assert "bucket_name" in texts(completer, "SELECT region, count(*) FROM awscc.s3.buckets GROUP BY |")
    assert texts(completer, "SELECT * FROM awscc.s3.buckets ORDER BY bucket_n|")[0] == "bucket_name"


def test_list_only_views_offer_only_the_listed_columns(completer: AwsqlCompleter) -> None:
    found = set(texts(completer, "SELECT x.| FROM awscc.lambda.event_invoke_configs_list_only x"))
    assert found == {"function_name", "qualifier", "region", "account_id"}


def test_functions_and_keywords_follow_the_columns(completer: AwsqlCompleter) -> None:
    found = texts(completer, "SELECT co| FROM awscc.lambda.functions")
    assert found.index("code") < found.index("count")
    assert "coalesce" in found


def test_keywords_follow_the_case_the_user_types(completer: AwsqlCompleter) -> None:
    assert first_applied(completer, "sel|") == "select"
    assert first_applied(completer, "SEL|") == "SELECT"
    assert "WHERE" in texts(completer, "SELECT * FROM awscc.s3.buckets WH|")


# -- values ----------------------------------------------------------------------------------------


def test_region_values_inside_the_string(completer: AwsqlCompleter) -> None:
    case = "SELECT * FROM awscc.s3.buckets WHERE region = 'us-e|"
    found = texts(completer, case)
    assert "us-east-1'" in found
    assert applied(case, complete(completer, case)[0]).endswith("region = 'us-east-1'")


def test_region_values_come_quoted_after_the_operator(completer: AwsqlCompleter) -> None:
    case = "SELECT * FROM awscc.s3.buckets WHERE region = |"
    found = complete(completer, case)
    assert found[0].text == "'eu-west-1'"  # the session's default region first
    assert found[0].display_meta_text == "default region"
    assert "'us-east-1'" in [c.text for c in found]


def test_region_values_in_an_in_list(completer: AwsqlCompleter) -> None:
    assert "us-east-1'" in texts(completer, "SELECT * FROM awscc.s3.buckets WHERE region IN ('eu-west-1', '|")


def test_the_closing_quote_is_not_doubled(completer: AwsqlCompleter) -> None:
    case = "SELECT * FROM awscc.s3.buckets WHERE region = 'us-east|'"
    assert applied(case, complete(completer, case)[0]) == "SELECT * FROM awscc.s3.buckets WHERE region = 'us-east-1'"


def test_identifier_values_come_from_earlier_results(completer: AwsqlCompleter) -> None:
    case = "SELECT * FROM awscc.lambda.functions WHERE region = 'eu-west-1' AND Identifier = '|"
    found = complete(completer, case)
    assert [c.text for c in found] == ["orders-api'", "billing-worker'"]
    assert found[0].display_meta_text == "AWS::Lambda::Function"
    assert texts(completer, "SELECT * FROM awscc.lambda.functions WHERE Identifier = bill|") == ["'billing-worker'"]


def test_identifier_values_with_a_quote_are_escaped(catalog: Catalog) -> None:
    values = SessionValues()
    values.remember("AWS::S3::Bucket", ["it's"])
    completer = AwsqlCompleter(catalog, values)
    assert texts(completer, "SELECT * FROM awscc.s3.buckets WHERE Identifier = |") == ["'it''s'"]


def test_type_names_for_raw_cloud_control(completer: AwsqlCompleter) -> None:
    case = "SELECT * FROM awscc.cloud_control.resources WHERE TypeName = 'AWS::Lambda::Fu|"
    assert texts(completer, case)[0] == "AWS::Lambda::Function'"


def test_variables_inside_braces(completer: AwsqlCompleter) -> None:
    assert texts(completer, "SELECT * FROM awscc.s3.buckets WHERE region = {{ reg|") == ["region_name"]


# -- INSERT column lists ---------------------------------------------------------------------------


def test_insert_column_list_offers_property_names(completer: AwsqlCompleter) -> None:
    case = "INSERT INTO awscc.lambda.functions (Fun|"
    found = complete(completer, case)
    assert found[0].text == "FunctionName"
    assert applied(case, found[0]) == "INSERT INTO awscc.lambda.functions (FunctionName"


def test_insert_column_list_puts_required_first_and_skips_read_only_and_listed(completer: AwsqlCompleter) -> None:
    found = complete(completer, "INSERT INTO awscc.lambda.functions (|")
    names = [c.text for c in found]
    assert set(names[:2]) == {"Code", "Role"}
    assert all("required" in c.display_meta_text for c in found[:2])
    assert "Arn" not in names  # read-only: it cannot be inserted
    assert "region" in names
    later = texts(completer, "INSERT INTO awscc.lambda.functions (Code, role, function_name, |")
    assert not {"Code", "Role", "FunctionName"} & set(later)


def test_update_set_offers_columns_and_patch_document(completer: AwsqlCompleter) -> None:
    found = texts(completer, "UPDATE awscc.lambda.event_invoke_configs SET |")
    assert "maximum_retry_attempts" in found
    assert "PatchDocument" in found


# -- meta commands ---------------------------------------------------------------------------------


def test_meta_commands_after_a_backslash(completer: AwsqlCompleter) -> None:
    found = {c.text: c.display_meta_text for c in complete(completer, "\\|")}
    assert {"\\q", "\\o", "\\x", "\\timing", "\\region", "\\i", "\\pager"} <= set(found)
    assert found["\\o"]
    assert first_applied(completer, "\\tim|") == "\\timing"


def test_meta_command_words_at_the_start(completer: AwsqlCompleter) -> None:
    assert "help" in texts(completer, "he|")
    assert "exit" in texts(completer, "ex|")


def test_meta_command_arguments(completer: AwsqlCompleter) -> None:
    assert texts(completer, "\\T |") == ["table", "json", "jsonl", "csv", "tsv", "text"]
    assert texts(completer, "\\o |")[:6] == ["table", "json", "jsonl", "csv", "tsv", "text"]  # then files
    assert texts(completer, "\\o js|")[:2] == ["json", "jsonl"]
    assert texts(completer, "\\x |") == ["on", "off", "auto"]
    assert texts(completer, "\\d lambda.fun|")[:1] == ["awscc.lambda.functions"]
    assert texts(completer, "\\region eu-west|")[:3] == ["eu-west-1", "eu-west-2", "eu-west-3"]
    assert texts(completer, "\\pager |") == ["on", "off"]
    assert texts(completer, "\\profile pr|") == ["prod"]
    assert "stage" in texts(completer, "\\unset |")
    assert texts(completer, "\\set stage |") == []


def test_file_argument_lists_the_directory(completer: AwsqlCompleter, tmp_path: Path) -> None:
    (tmp_path / "report.sql").write_text("SELECT 1;")
    (tmp_path / "queries").mkdir()
    found = {c.text: c.display_meta_text for c in complete(completer, f"\\i {tmp_path}/|")}
    assert found == {"queries/": "directory", "report.sql": "file"}
    assert first_applied(completer, f"\\i {tmp_path}/rep|") == f"\\i {tmp_path}/report.sql"


def test_the_meta_command_registry_is_data(catalog: Catalog) -> None:
    registry = (MetaCommandInfo("\\hello", "Say hello", choices=("world",)),)
    completer = AwsqlCompleter(catalog, meta_commands=registry)
    assert [(c.text, c.display_meta_text) for c in complete(completer, "\\|")] == [("\\hello", "Say hello")]
    assert texts(completer, "\\hello |") == ["world"]


# -- while typing (no Tab) -------------------------------------------------------------------------


def typing(completer: AwsqlCompleter, case: str) -> list[str]:
    """What the menu shows unasked, as prompt_toolkit asks after each inserted character."""
    event = CompleteEvent(text_inserted=True)
    return [completion.text for completion in completer.get_completions(document(case), event)]


@pytest.mark.parametrize(
    "case",
    [
        "SELECT *\n|",  # Enter inside an unfinished statement
        "SELECT *\nFROM awscc.lambda.functions\nWHERE region = 'us-east-1'\n|",  # the end of a paste
        "SELECT * FROM awscc.lambda.functions -- all of them\n|",  # after a comment line
        "SELECT * FROM |",
        "SELECT * FROM awscc.s3.buckets WHERE |",
        "SELECT * FROM awscc.s3.buckets WHERE region = |",
        "INSERT INTO awscc.lambda.functions (|",
        "\\o |",
    ],
)
def test_no_menu_opens_unasked_on_an_empty_word(completer: AwsqlCompleter, case: str) -> None:
    assert typing(completer, case) == []
    assert texts(completer, case) != []  # Tab still lists what fits


@pytest.mark.parametrize(
    ("case", "offered"),
    [
        ("SELECT * FROM awscc.lambda.functions WHERE mem|", "memory_size"),
        ("SELECT * FROM awscc.|", "lambda"),  # the dot of a qualified name was just typed
        ("SELECT * FROM awscc.lambda.|", "functions"),
        ("SELECT f.| FROM awscc.lambda.functions f", "function_name"),
        ("SELECT * FROM awscc.s3.buckets WHERE region = '|", "eu-west-1'"),  # the opening quote too
        ("SELECT * FROM awscc.s3.buckets WHERE region = e|", "'eu-west-1'"),
        ("\\|", "\\q"),
        ("\\o j|", "json"),
        ("sel|", "select"),
    ],
)
def test_a_menu_opens_unasked_once_a_word_or_name_part_begins(
    completer: AwsqlCompleter, case: str, offered: str
) -> None:
    assert offered in typing(completer, case)


# -- robustness ------------------------------------------------------------------------------------

STATEMENTS = [
    "SELECT f.function_name, c.maximum_retry_attempts FROM awscc.lambda.functions f "
    "JOIN awscc.lambda.event_invoke_configs c ON c.function_name = f.function_name "
    "WHERE f.region = 'us-east-1' AND c.region = 'us-east-1';",
    "SELECT region, count(*) FROM awscc.s3.buckets WHERE region IN ('us-east-1','eu-west-1') GROUP BY region;",
    "INSERT INTO awscc.lambda.event_invoke_configs (FunctionName, Qualifier, MaximumRetryAttempts, region) "
    "SELECT 'fn', '$LATEST', 1, 'us-east-1' RETURNING Identifier;",
    'UPDATE awscc.lambda.event_invoke_configs SET PatchDocument = string(\'[{"op": "replace"}]\') '
    "WHERE region = 'us-east-1' AND Identifier = 'fn|$LATEST';",
    "DELETE FROM awscc.lambda.event_invoke_configs WHERE Identifier = 'fn|$LATEST' AND region = 'us-east-1';",
    "SHOW RESOURCES IN awscc.lambda LIKE '%config%'; DESCRIBE EXTENDED awscc.lambda.functions;",
    "WITH t AS (SELECT * FROM awscc.s3.buckets /* note */) SELECT json_extract(t.tags, '$[0]') FROM t -- end",
    "SELECT * FROM awscc.cloud_control.resources WHERE TypeName = 'AWS::S3::Bucket' AND region = {{ region }};",
    "\\i ~/queries/it's here.sql",
    'EXPLAIN SELECT "function_name", `x`, [y] FROM awscc.lambda.functions_list_only LIMIT 5 OFFSET 1',
]


@pytest.mark.slow
def test_never_raises_on_any_prefix_of_real_statements(completer: AwsqlCompleter) -> None:
    # completions() is get_completions without its safety net, so a bug would surface here.
    for statement in STATEMENTS:
        for cut in range(len(statement) + 1):
            found = completer.completions(statement[:cut], statement[cut:])
            assert all(isinstance(c, Completion) for c in found)


def test_never_raises_on_random_garbage(completer: AwsqlCompleter) -> None:
    alphabet = "abcSELECTFROMWHERE awscc.lambda_(),;'\"`[]{}|\\/*-=<>!.0123456789\n\téü"
    rng = random.Random(20240601)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        cut = rng.randint(0, len(text))
        before, after = text[:cut], text[cut:]
        assert all(isinstance(c, Completion) for c in completer.completions(before, after))
        assert isinstance(list(completer.get_completions(Document(text, cut), CompleteEvent())), list)


def test_completions_never_reach_before_the_cursor_word(completer: AwsqlCompleter) -> None:
    for statement in STATEMENTS[:3]:
        for cut in range(0, len(statement) + 1, 3):
            for completion in complete(completer, statement[:cut] + "|"):
                assert -completion.start_position <= cut
