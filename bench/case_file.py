"""The prosecutor's case file (issue 16): how long the PDF takes to build, and how fast the
request that asks for it answers.

A case with 50 seizures, 200 notes, 30 documents and 20 exhibits of 10 custody events each is
written through the services (so its audit trail, and the chronology built from it, are real),
referred to the Openbaar Ministerie, and its prosecutor asks for the case file:
- the POST /api/v1/cases/{id}/case-file/ request, through Django's full stack in-process: the
  request writes the row and publishes the build task to a Redis queue of this run's own that
  no worker reads (the request never renders anything);
- the build, by calling the task's function in this process: dossier, HTML, WeasyPrint, the
  stored file and its SHA-256.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis_bench_case_file \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.case_file [--runs 5]

The database (its name must contain "bench") is dropped and created fresh. The figures go to
bench/results.json under "case_file" and to a section of bench/RESULTS.md. Goals: the build
under 10 s, the request under 100 ms.
"""
import argparse
import datetime
import json
import os
import statistics
import time
import uuid
from pathlib import Path

from bench.database import migrate, recreate_database, setup_django

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portcullis_bench_case_file"
GOALS = {"build_s": 10.0, "request_ms": 100.0}
SHAPE = {"seizures": 50, "notes": 200, "documents": 30, "exhibits": 20, "custody_per_exhibit": 10}
SECTION = "## 7. The prosecutor's case file (issue 16)"


def big_case(owner):
    """The case of the issue's size, written through the services."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases.services import case_create, document_attach, note_add, seizure_add
    from cases.services.exhibits import custody_record, exhibit_add

    case = case_create(actor=owner, title="Bench: 1,200 kg of cocaine behind reefer panels", port="NLRTM",
                       handling_code="H1", seized_at=timezone.now() - datetime.timedelta(days=30),
                       legal_basis="Art. 46 UCC; Opiumwet art. 2", summary="A reefer of bananas from Guayaquil.")
    seizures = [seizure_add(actor=owner, case_id=case.pk, drug="cocaine", quantity="25.000", unit="kg", form="brick",
                            packages=20, brick_marking=f"Scorpion {number}", concealment="reefer_unit")
                for number in range(SHAPE["seizures"])]
    for number in range(SHAPE["notes"]):
        note_add(actor=owner, case_id=case.pk, text=f"Observation {number}: the reefer's panel screws were "
                 f"re-tooled; driver interviewed at the gate; container moved to the scanning lane. " * 3)
    for number in range(SHAPE["documents"]):
        body = f"Laboratory report {number}\nSample {number}: cocaine hydrochloride, purity 8{number % 10}%.\n" * 40
        document_attach(actor=owner, case_id=case.pk, title=f"Lab report {number}", kind="lab_report",
                        uploaded_file=SimpleUploadedFile(f"lab-{number}.txt", body.encode(), "text/plain"))
    purposes = ["transport", "analysis", "storage", "transport", "analysis", "storage", "court", "storage",
                "transport", "storage"]
    for number in range(SHAPE["exhibits"]):
        exhibit = exhibit_add(actor=owner, case_id=case.pk, description=f"Sample from brick {number}",
                              seal_number=f"NL-SEAL-{number:05d}", holder="Customs evidence room",
                              location="Rotterdam Maasvlakte", seizure=seizures[number].pk)
        for step, purpose in enumerate(purposes[:SHAPE["custody_per_exhibit"]]):
            custody_record(actor=owner, case_id=case.pk, exhibit_id=exhibit.pk, to_holder=f"Holder {step}",
                           to_location=f"Location {step}", purpose=purpose, seal_intact=True,
                           note=f"Move {step} of exhibit {number}")
    return case


def refer(owner, case) -> None:
    from cases.services import case_transition

    for step in ("open", "referred"):
        case_transition(actor=owner, case_id=case.pk, to=step, agency_code="NL-OM-RTM",
                        reason="Ready for the public prosecutor")


def time_request(client, case) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.post(f"/api/v1/cases/{case.pk}/case-file/", {"justification": "Preparing the indictment"},
                           content_type="application/json")
    elapsed = time.perf_counter() - started
    if response.status_code != 202:
        raise SystemExit(f"POST case-file answered {response.status_code}: {response.content[:300]!r}")
    return elapsed, response.json()["id"]


def time_build(file_id: str) -> tuple[float, object]:
    from cases.models import CaseFile
    from cases.tasks import build_case_file

    started = time.perf_counter()
    build_case_file.run(file_id)  # the task's own function, in this process
    elapsed = time.perf_counter() - started
    built = CaseFile.objects.get(pk=file_id)
    if built.status != "done":
        raise SystemExit(f"The case file failed: {built.error}")
    return elapsed, built


def drop_queue(queue: str) -> None:
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)


def measure(runs: int) -> dict:
    from django.conf import settings
    from django.test import Client

    from agencies.demo import seed_cast

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cast = seed_cast(password="bench-case-file-password")
    owner, prosecutor = cast["rtm.officer"], cast["rtm.prosecutor"]
    started = time.perf_counter()
    case = big_case(owner)
    refer(owner, case)
    seeded_s = time.perf_counter() - started
    client = Client()
    client.force_login(prosecutor)
    time_request(client, case)  # warm-up: imports, templates, fonts
    requests, builds, built = [], [], None
    for _ in range(runs):
        request_s, file_id = time_request(client, case)
        build_s, built = time_build(file_id)
        requests.append(request_s * 1000)
        builds.append(build_s)
    return {
        "what": "PDF case file of one case built by the task's function in-process; the POST that queues it "
                "through Django's full stack (session auth, CSRF-exempt test client), publishing to Redis",
        "shape": SHAPE,
        "runs": runs,
        "seeded_through_services_s": round(seeded_s, 1),
        "build_s_median": round(statistics.median(builds), 2),
        "build_s_max": round(max(builds), 2),
        "request_ms_median": round(statistics.median(requests), 1),
        "request_ms_max": round(max(requests), 1),
        "pages": built.pages,
        "pdf_bytes": built.size,
        "goals": GOALS,
        "goals_met": statistics.median(builds) < GOALS["build_s"] and statistics.median(requests) < GOALS["request_ms"],
    }


def section(figures: dict) -> str:
    shape = figures["shape"]
    return "\n".join([
        SECTION,
        "",
        f"`python -m bench.case_file` (part of `make bench`): one case of {shape['seizures']} seizures, "
        f"{shape['notes']} notes, {shape['documents']} documents and {shape['exhibits']} exhibits with "
        f"{shape['custody_per_exhibit']} custody events each, written through the services, referred to the "
        f"prosecutor, who asks for the case file {figures['runs']} times.",
        "",
        "| figure | median | max | goal |",
        "|---|---|---|---|",
        f"| building the PDF (dossier, HTML, WeasyPrint, storage, SHA-256) | {figures['build_s_median']} s "
        f"| {figures['build_s_max']} s | < {GOALS['build_s']:.0f} s |",
        f"| `POST /api/v1/cases/{{id}}/case-file/` (202, task queued) | {figures['request_ms_median']} ms "
        f"| {figures['request_ms_max']} ms | < {GOALS['request_ms']:.0f} ms |",
        "",
        f"The PDF has {figures['pages']} pages ({figures['pdf_bytes'] / 1024:.0f} KiB). "
        f"Goals {'met' if figures['goals_met'] else 'NOT met'}.",
        "",
    ])


def write(figures: dict) -> None:
    results_path = HERE / "results.json"
    results = json.loads(results_path.read_text())
    results["case_file"] = figures
    results_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    markdown_path = HERE / "RESULTS.md"
    text = markdown_path.read_text()
    if SECTION in text:  # replace this section, up to the next one
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section(figures) + (text[end + 1:] if end != -1 else "")
    else:  # before the sections that follow the numbered ones
        anchor = text.find("\n## Other readers")
        anchor = anchor + 1 if anchor != -1 else len(text)
        text = text[:anchor] + section(figures) + "\n" + text[anchor:]
    markdown_path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL: the request publishes the build task to a real broker.")
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    queue = f"bench-case-file-{uuid.uuid4().hex[:8]}"
    os.environ["CASE_FILE_QUEUE"] = queue  # published, never consumed: the build is timed in-process
    recreate_database(url)
    setup_django(url)
    migrate()
    try:
        figures = measure(args.runs)
    finally:
        drop_queue(queue)
    write(figures)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
