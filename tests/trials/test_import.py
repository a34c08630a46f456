"""Importing ClinicalTrials.gov records: every input shape, upserts, rejections, flat memory."""

import io
import json
import shutil
import tracemalloc
import zipfile
from datetime import date

import pytest
from django.core.management import call_command

from tests.conftest import SHARED_TRIALS, WRITTEN_BY_US
from trials.importer import Importer, records_in_paths
from trials.models import Site, Study

pytestmark = pytest.mark.django_db

REAL_LIST = SHARED_TRIALS / "studies-50.json"


def import_trials(*paths) -> str:
    out = io.StringIO()
    call_command("import_trials", *map(str, paths), "--no-progress", stdout=out)
    return out.getvalue()


def real(nct_id: str) -> dict:
    return next(
        s
        for s in json.loads(REAL_LIST.read_text())
        if s["protocolSection"]["identificationModule"]["nctId"] == nct_id
    )


def test_it_imports_the_shared_records_and_counts_them():
    output = import_trials(SHARED_TRIALS)
    # 50 in the list and 13 single files, two of which hold the same study (NCT02552212).
    assert "Imported 63 records: 62 new, 0 updated, 1 unchanged, 0 rejected." in output
    assert Study.objects.count() == 62
    assert Site.objects.count() == 2083 + sum(
        len(
            json.loads(p.read_text())["protocolSection"]
            .get("contactsLocationsModule", {})
            .get("locations", [])
        )
        for p in (SHARED_TRIALS / "single").glob("*.json")
        if p.name != "NCT02278341.json"
    )
    # A second run changes nothing.
    assert "0 new, 0 updated, 63 unchanged, 0 rejected" in import_trials(SHARED_TRIALS)


def test_it_keeps_the_columns_the_matching_needs():
    import_trials(REAL_LIST)
    study = Study.objects.get(nct_id="NCT05925803")
    assert study.brief_title.startswith("Determine Effectiveness of Anifrolumab")
    assert study.title.startswith("A Multicenter, Randomized")
    assert study.conditions == ["Systemic Sclerosis", "Scleroderma"]
    assert "Anifrolumab" in study.keywords
    assert "Biological: Anifrolumab (blinded)" in study.interventions
    assert study.phases == ["PHASE3"]
    assert study.overall_status == Study.Status.NOT_YET_RECRUITING
    assert study.study_type == Study.StudyType.INTERVENTIONAL
    assert study.sponsor == "AstraZeneca"
    assert (study.min_age_years, study.max_age_years, study.minimum_age) == (18, 70, "18 Years")
    assert study.sex == Study.Sex.ALL and study.healthy_volunteers is False
    assert study.source_updated_on == date(2023, 6, 29)
    assert len(study.inclusion) == 10 and len(study.exclusion) == 13
    assert study.inclusion[0] == "Adult patients from 18 to 70 years of age inclusive"
    assert study.exclusion[2].endswith(
        "(estimated glomerular filtration rate(eGFR) < 45 mL/min)"
    )  # unescaped
    assert study.central_contacts == [
        {
            "name": "AstraZeneca Clinical Study Information Center",
            "role": "CONTACT",
            "phone": "1-877-240-9479",
            "email": "information.center@astrazeneca.com",
        }
    ]
    birmingham = study.sites.get(position=0)
    assert (birmingham.facility, birmingham.city, birmingham.state, birmingham.zip) == (
        "Research Site",
        "Birmingham",
        "Alabama",
        "35205",
    )
    assert (birmingham.country, birmingham.country_code) == ("United States", "US")
    assert (birmingham.latitude, birmingham.longitude) == (33.52066, -86.80249)
    assert study.sites.count() == 131
    # The exporter's extra key is ignored rather than stored twice.
    assert Study.objects.get(nct_id="NCT05923112").sites.count() == 1
    # Months are kept in years; site statuses are kept.
    assert Study.objects.get(nct_id="NCT05814159").min_age_years == pytest.approx(8 / 12, abs=0.001)
    assert Site.objects.filter(study__nct_id="NCT05863234", status="RECRUITING").count() == 1


def test_it_reads_expanded_access_records():
    import_trials(WRITTEN_BY_US / "NCT09000103.json")
    program = Study.objects.get(nct_id="NCT09000103")
    assert program.is_expanded_access and program.expanded_access_types == ["individual"]
    assert program.overall_status == Study.Status.AVAILABLE and not program.sites.exists()


def test_it_reads_minimal_records_without_their_missing_modules():
    import_trials(SHARED_TRIALS / "single" / "NCT03453554.json")
    study = Study.objects.get(nct_id="NCT03453554")
    assert study.brief_title == "Evaluating a Digital..."
    assert study.overall_status == "" and study.conditions == [] and study.source_updated_on is None


def test_it_reads_lists_pages_single_files_folders_and_zips(tmp_path):
    records = json.loads(REAL_LIST.read_text())
    (tmp_path / "page.json").write_text(json.dumps({"studies": records[:10], "nextPageToken": "abc"}))
    (tmp_path / "list.json").write_text(json.dumps(records[10:20]))
    (tmp_path / "folder").mkdir()
    for record in records[20:25]:
        nct = record["protocolSection"]["identificationModule"]["nctId"]
        (tmp_path / "folder" / f"{nct}.json").write_text(json.dumps(record))
    with zipfile.ZipFile(tmp_path / "bulk.zip", "w") as archive:
        for record in records[25:]:
            nct = record["protocolSection"]["identificationModule"]["nctId"]
            archive.writestr(f"ctg-studies/{nct}.json", json.dumps(record))
    shutil.copy(SHARED_TRIALS / "single" / "NCT00763412.json", tmp_path / "one.json")
    output = import_trials(
        tmp_path / "page.json",
        tmp_path / "list.json",
        tmp_path / "folder",
        tmp_path / "bulk.zip",
        tmp_path / "one.json",
    )
    assert "Imported 51 records: 51 new, 0 updated, 0 unchanged, 0 rejected." in output
    assert Study.objects.count() == 51


def test_it_updates_a_study_whose_record_changed_and_keeps_a_newer_one(tmp_path):
    import_trials(WRITTEN_BY_US / "NCT09000101.json")
    record = json.loads((WRITTEN_BY_US / "NCT09000101.json").read_text())
    status = record["protocolSection"]["statusModule"]
    status["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    status["lastUpdatePostDateStruct"]["date"] = "2026-10-01"
    record["protocolSection"]["contactsLocationsModule"]["locations"].pop()
    (tmp_path / "newer.json").write_text(json.dumps(record))
    assert "0 new, 1 updated, 0 unchanged, 0 rejected" in import_trials(tmp_path / "newer.json")
    study = Study.objects.get(nct_id="NCT09000101")
    assert study.overall_status == "ACTIVE_NOT_RECRUITING" and study.sites.count() == 3
    assert study.source_updated_on == date(2026, 10, 1)

    # The original record is older than what we now hold: it is not applied.
    output = import_trials(WRITTEN_BY_US / "NCT09000101.json")
    assert "1 unchanged (1 older than the stored version, not applied)" in output
    assert Study.objects.get(nct_id="NCT09000101").overall_status == "ACTIVE_NOT_RECRUITING"


def test_a_malformed_record_is_reported_and_skipped_whole(tmp_path):
    good = json.loads((WRITTEN_BY_US / "NCT09000102.json").read_text())
    no_id = json.loads(json.dumps(good))
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    bad_id = json.loads(json.dumps(good))
    bad_id["protocolSection"]["identificationModule"]["nctId"] = "NCT123"
    bad_conditions = json.loads(json.dumps(good))
    bad_conditions["protocolSection"]["identificationModule"]["nctId"] = "NCT09000199"
    bad_conditions["protocolSection"]["conditionsModule"]["conditions"] = "T-ALL"
    bad_point = json.loads(json.dumps(good))
    bad_point["protocolSection"]["identificationModule"]["nctId"] = "NCT09000198"
    bad_point["protocolSection"]["contactsLocationsModule"]["locations"][1]["geoPoint"]["lat"] = 123.4
    bad_age = json.loads(json.dumps(good))
    bad_age["protocolSection"]["identificationModule"]["nctId"] = "NCT09000197"
    bad_age["protocolSection"]["eligibilityModule"]["minimumAge"] = "twelve"
    # Passes every check of ours, but the database refuses a NUL character in text: the study must
    # not be left behind without its sites.
    refused = json.loads(json.dumps(good))
    refused["protocolSection"]["identificationModule"]["nctId"] = "NCT09000196"
    refused["protocolSection"]["contactsLocationsModule"]["locations"][1]["facility"] = "Bad\u0000name"
    records = [no_id, good, bad_id, "not a study", bad_conditions, bad_point, bad_age, refused]
    (tmp_path / "mixed.json").write_text(json.dumps(records))
    (tmp_path / "broken.json").write_text('[{"protocolSection": {"identificationModule": {"nctId": "NCT0')

    output = import_trials(tmp_path / "mixed.json", tmp_path / "broken.json", tmp_path / "missing.json")

    assert "1 new, 0 updated, 0 unchanged, 9 rejected" in output
    for reason in (
        "no NCT number (identificationModule.nctId)",
        "'NCT123' is not an NCT number",
        "not a study record (expected a JSON object)",
        "conditionsModule.conditions is not a list of text",
        "locations[1].geoPoint.lat 123.4 is not a coordinate",
        "eligibilityModule.minimumAge 'twelve' is not an age",
        "NCT09000196: the database refused it",
        "broken.json: not valid JSON after 0 studies",
        "missing.json: no such file or folder",
    ):
        assert reason in output, reason
    assert list(Study.objects.values_list("nct_id", flat=True)) == ["NCT09000102"]
    assert Site.objects.count() == 2


def _peak_memory_importing(path) -> int:
    tracemalloc.start()
    with Importer(batch_size=50) as importer:
        for label, record in records_in_paths([path]):
            importer.feed(label, record)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not importer.counts.rejected
    return peak


def _write_list(path, count: int, first: int) -> int:
    template = json.loads((WRITTEN_BY_US / "NCT09000107.json").read_text())
    with path.open("w") as f:
        f.write("[")
        for i in range(count):
            template["protocolSection"]["identificationModule"]["nctId"] = f"NCT08{first + i:06d}"
            template["protocolSection"]["descriptionModule"]["briefSummary"] = (
                f"Synthetic {i}. " + "x" * 5_000
            )
            f.write(("," if i else "") + json.dumps(template))
        f.write("]")
    return path.stat().st_size


def test_the_import_streams_with_flat_memory(tmp_path):
    """Three times the studies, the same memory: records are read and written a batch at a time."""
    small = _write_list(tmp_path / "small.json", 150, first=0)
    large = _write_list(tmp_path / "large.json", 450, first=10_000)
    small_peak = _peak_memory_importing(tmp_path / "small.json")
    large_peak = _peak_memory_importing(tmp_path / "large.json")
    assert Study.objects.count() == 600
    assert large_peak < small_peak * 1.25, (small_peak, large_peak)
    assert large > small * 2.9


def test_the_command_needs_paths_or_the_api():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Give files, folders or ZIPs to import, or --api"):
        call_command("import_trials")
