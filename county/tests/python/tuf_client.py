"""A third-party TUF client (python-tuf's ngclient) against a county repository.

Run by county/tests/python_tuf.rs with the virtualenv scripts/test installs.
Prints one JSON object on stdout:

  resolve:   {"root_version": N, "targets": {name: sha256 of the downloaded file}}
  fetch-one: {"refused": true, "error": "..."} or {"refused": false, "sha256": "..."}
"""

import argparse
import hashlib
import json
import pathlib
import sys

from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import Metadata, Root
from tuf.ngclient import Updater


def updater(args: argparse.Namespace) -> Updater:
    metadata_dir = pathlib.Path(args.metadata_dir)
    metadata_dir.mkdir(parents=True, exist_ok=True)
    if not (metadata_dir / "root.json").exists():
        (metadata_dir / "root.json").write_bytes(pathlib.Path(args.trusted_root).read_bytes())
    pathlib.Path(args.target_dir).mkdir(parents=True, exist_ok=True)
    return Updater(
        metadata_dir=str(metadata_dir),
        metadata_base_url=args.metadata_url,
        target_base_url=args.targets_url,
        target_dir=args.target_dir,
        # Trust the root.json in metadata_dir: the provisioned one at first,
        # then whatever this client has already verified.
        bootstrap=None,
    )


def sha256(path: str) -> str:
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def resolve(args: argparse.Namespace) -> dict:
    u = updater(args)
    u.refresh()
    out = {}
    for name in json.loads(pathlib.Path(args.names).read_text(encoding="utf-8")):
        info = u.get_targetinfo(name)
        if info is None:
            raise SystemExit(f"target not found by ngclient: {name}")
        out[name] = sha256(u.download_target(info))
    root = Metadata[Root].from_file(str(pathlib.Path(args.metadata_dir) / "root.json"))
    return {"root_version": root.signed.version, "targets": out}


def fetch_one(args: argparse.Namespace) -> dict:
    u = updater(args)
    u.refresh()
    info = u.get_targetinfo(args.name)
    if info is None:
        raise SystemExit(f"target not found by ngclient: {args.name}")
    try:
        path = u.download_target(info)
    except RepositoryError as e:
        return {"refused": True, "error": f"{type(e).__name__}: {e}"}
    return {"refused": False, "sha256": sha256(path)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["resolve", "fetch-one"])
    p.add_argument("--metadata-dir", required=True)
    p.add_argument("--trusted-root", required=True)
    p.add_argument("--metadata-url", required=True)
    p.add_argument("--targets-url", required=True)
    p.add_argument("--target-dir", required=True)
    p.add_argument("--names")
    p.add_argument("--name")
    args = p.parse_args()
    result = resolve(args) if args.mode == "resolve" else fetch_one(args)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
