import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from trials.api import OPEN_STATUSES, ApiError, Query, import_from_api
from trials.importer import BATCH_SIZE, Importer, records_in_paths

SHOW_REJECTED = 50


class Command(BaseCommand):
    help = (
        "Import ClinicalTrials.gov study records (API v2 JSON): files with one study, a list of studies "
        "or API pages, folders and ZIPs of them; or, with --api, download them from the API."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="JSON files, folders or ZIP files")
        parser.add_argument("--api", action="store_true", help="download from the ClinicalTrials.gov API")
        parser.add_argument("--condition", default="", help="with --api: condition or disease to ask for")
        parser.add_argument(
            "--status",
            action="append",
            dest="statuses",
            help=f"with --api: overall status to ask for, repeatable (default: {', '.join(OPEN_STATUSES)})",
        )
        parser.add_argument("--page-size", type=int, default=100, help="with --api: studies per page")
        parser.add_argument("--max-pages", type=int, default=None, help="with --api: stop after this many")
        parser.add_argument(
            "--restart", action="store_true", help="with --api: start again from the first page"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        if options["api"] == bool(options["paths"]):
            raise CommandError("Give files, folders or ZIPs to import, or --api (not both).")
        # The bar goes to the terminal only (stderr), never into a log or a pipe.
        bar = tqdm(
            unit=" studies",
            file=sys.stderr,
            disable=True if options["no_progress"] else None,
            dynamic_ncols=True,
        )

        def progress(counts):
            bar.update(counts.total - bar.n)
            bar.set_postfix_str(counts.summary(), refresh=False)

        importer = Importer(batch_size=options["batch_size"], on_progress=progress)
        try:
            if options["api"]:
                self._from_api(importer, options)
            else:
                with importer:
                    for label, record in records_in_paths(options["paths"]):
                        importer.feed(label, record)
        finally:
            bar.close()
            self._report(importer.counts)

    def _from_api(self, importer, options):
        statuses = tuple(s.strip().upper() for s in options["statuses"] or OPEN_STATUSES if s.strip())
        query = Query(
            condition=options["condition"].strip(), statuses=statuses, page_size=options["page_size"]
        )
        try:
            state = import_from_api(
                importer, query, max_pages=options["max_pages"], restart=options["restart"]
            )
        except ApiError as e:
            raise CommandError(
                f"The download stopped: {e}. Run the same command again to resume where it stopped."
            ) from None
        where = "all pages" if state.finished_at else f"stopped after page {state.pages_done}, resumable"
        self.stdout.write(f"API: {state.pages_done} pages, {state.studies_seen} studies ({where}).")

    def _report(self, counts):
        self.stdout.write(f"Imported {counts.total} records: {counts.summary()}.")
        for label, reason in counts.rejected[:SHOW_REJECTED]:
            self.stdout.write(f"  rejected {label}: {reason}")
        if len(counts.rejected) > SHOW_REJECTED:
            self.stdout.write(f"  ... and {len(counts.rejected) - SHOW_REJECTED} more rejected")
