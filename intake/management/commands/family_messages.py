from django.core.management.base import BaseCommand

from intake import catalogue


class Command(BaseCommand):
    help = (
        "Bring the Spanish catalogue (locale/es/LC_MESSAGES/django.po) up to date with the family-facing "
        "sources: new strings come in untranslated, changed ones fuzzy, translations are kept."
    )

    def handle(self, *args, **options):
        path = catalogue.committed_catalogue()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = catalogue.extract(merge_with=path)
        path.write_text(text)
        missing = catalogue.untranslated(text, text)
        self.stdout.write(f"{path}: {len(catalogue.parse_po(text))} strings, {len(missing)} to translate")
        for entry in missing:
            self.stdout.write(f"  {entry}")
