"""The command line's sharing: ``handrail export`` (a ``.handrail`` bundle) and ``handrail
import`` (bundles, and documents turned into aids)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from job_aids import OWN, JobAid, LibraryStore
from job_aids.bundle import SUFFIX, BundledAid, Existing, export_bundle, install_bundle, read_bundle

from .terminal import terminal_safe

CHOICES = {"update": Existing.UPDATE, "keep-both": Existing.KEEP_BOTH, "skip": Existing.SKIP}


def cmd_export(store: LibraryStore, args: argparse.Namespace) -> int:
    if args.collection:
        collection = store.collections.get(args.collection)
        aids = [aid for aid in store.iter_aids([collection]) if aid.source is not None]
    elif args.aids:
        aids = [store.find(key) for key in args.aids]
    else:
        print("handrail: error: name the aids to export, or --collection C", file=sys.stderr)
        return 2
    target = Path(args.output)
    if target.suffix != SUFFIX:
        target = target.with_name(target.name + SUFFIX)
    exported = export_bundle(aids, target)
    images = f" and {exported.attachments} images" if exported.attachments else ""
    print(f"exported {exported.aids} aids{images} to {exported.file}")
    return 0


def _ask(choice: str | None) -> Any:
    """How to treat an aid the library has already: the flag's answer, else ask at a terminal,
    else skip (and say so)."""
    def decide(existing: JobAid, bundled: BundledAid) -> Existing:
        if choice is not None:
            return CHOICES[choice]
        where = existing.source.path if existing.source else existing.id
        if not sys.stdin.isatty():
            print(f"skipped: {terminal_safe(bundled.title)}: already in the library as {where} "
                  "(--existing update|keep-both|skip says what to do)", file=sys.stderr)
            return Existing.SKIP
        while True:
            answer = input(f"“{terminal_safe(bundled.title)}” is already in the library "
                           f"({where}). [u]pdate it, [k]eep both, or [s]kip? ").strip().lower()
            for name, value in CHOICES.items():
                if answer and name.startswith(answer[0]):
                    return value
    return decide


def cmd_import(store: LibraryStore, args: argparse.Namespace) -> int:
    collection = store.collections.get(args.collection)
    if collection.read_only:
        print(f"handrail: error: the collection {collection.name!r} is read-only",
              file=sys.stderr)
        return 1
    given = [Path(p) for p in args.paths]
    missing = [str(p) for p in given if not p.exists()]
    if missing:
        print(f"handrail: error: not found: {', '.join(missing)}", file=sys.stderr)
        return 1
    bundles = [p for p in given if p.is_file() and p.suffix.lower() == SUFFIX]
    others = [p for p in given if p not in bundles]
    for path in bundles:
        report = install_bundle(store, read_bundle(path), collection.name, _ask(args.existing))
        for title, why in report.skipped:
            print(f"skipped: {terminal_safe(title)}: {why}")
        for note in report.notes:
            print(f"note: {terminal_safe(note)}")
        print(f"{path.name}: {report.summary()} into {collection.path}")
    if not others:
        return 0
    from job_aids import import_files

    def replace(target: Path, data: bytes) -> None:
        store.replace_bytes(store.load(target, collection), data)

    files = import_files(others, collection.path, replace=replace)
    for source, target in files.renamed:
        print(f"renamed: {source} -> {target.name} (name not safe on every system)")
    for source, count in files.split:
        print(f"split: {source} into {count} aids, one per section")
    for source, target in files.updated:
        print(f"updated: {target} (imported from {source} before)")
    for skipped in files.skipped:
        print(f"skipped: {skipped.source}: {skipped.reason}")
    for warning in files.warnings:
        print(f"warning: {warning}")
    print(f"imported {len(files.imported)} files into {collection.path}, updated "
          f"{len(files.updated)}, skipped {len(files.skipped)}")
    return 0


def add_parsers(sub: Any) -> None:
    export = sub.add_parser("export", help="write aids (and their images) to one .handrail file "
                            "another Handrail imports as they are")
    export.add_argument("aids", nargs="*", metavar="ID", help="ids, titles or paths")
    export.add_argument("--collection", help="every aid of this collection")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.set_defaults(func=cmd_export)

    importer = sub.add_parser("import", help="bring in .handrail bundles, and folders or files "
                              "of .md, .txt, .html, .docx, .pptx and .pdf as aids")
    importer.add_argument("paths", nargs="+", metavar="PATH")
    importer.add_argument("--collection", default=OWN)
    importer.add_argument("--existing", choices=sorted(CHOICES), help="for an aid of a bundle "
                          "that is in the library already (asked at a terminal otherwise)")
    importer.set_defaults(func=cmd_import)
