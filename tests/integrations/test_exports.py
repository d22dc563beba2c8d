"""Exports of a reviewed session: the PDF shows the timeline, CSVs read back, FHIR validates."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from infusion_monitor.domain.alerts import priority_code
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor
from infusion_monitor.integrations.csv_export import (
    QUALITY_COLUMNS,
    SESSION_COLUMNS,
    VITALS_COLUMNS,
    quality_csv,
    sessions_csv,
    vitals_csv,
)
from infusion_monitor.integrations.export_file import ExportWriteError
from infusion_monitor.integrations.fhir import session_bundle
from infusion_monitor.integrations.reports import PLOT_RENDER_SIZE, write_session_pdf
from infusion_monitor.services.review.detail import SessionReview
from infusion_monitor.services.review.gate import ReviewService
from infusion_monitor.services.review.quality import QualityService
from infusion_monitor.services.review.query import SessionFilter
from infusion_monitor.storage.database import Database
from infusion_monitor.ui.trend_view import trend_for_print
from review_world import small_unit


@pytest.fixture
def reviewed(database: Database, clock: FakeClock, charge: Actor) -> SessionReview:
    """A session with a reaction, opened for export by the charge nurse."""
    session_id = small_unit(database)
    return ReviewService(database.sessions, clock).export_session(charge, session_id, "pdf")[1]


def test_the_pdf_holds_identity_reaction_and_the_timeline(
    qtbot: QtBot, reviewed: SessionReview, tmp_path: Path
) -> None:
    path = write_session_pdf(reviewed, tmp_path / "s.pdf", "Cy Charge", datetime.now(UTC))
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    flat = " ".join(text.split())
    assert reviewed.detail.patient.name in flat
    assert reviewed.detail.patient.mrn is not None and reviewed.detail.patient.mrn in flat
    assert reviewed.detail.drug_name in flat
    assert "Timeline" in flat and "Infusion started" in flat and "Session closed" in flat
    assert "Reaction recorded" in flat and "CTCAE v5.0" in flat
    assert "acknowledged" in flat.lower()
    assert reviewed.ruleset_version[:20] in flat.replace(" ", "") or "sha256" in flat
    assert "Printed by Cy Charge" in flat


def test_the_vitals_csv_round_trips(reviewed: SessionReview) -> None:
    rows = list(csv.DictReader(io.StringIO(vitals_csv(reviewed))))
    assert tuple(rows[0]) == VITALS_COLUMNS
    assert len(rows) == len(reviewed.vitals)
    for row, vitals in zip(rows, reviewed.vitals, strict=True):
        assert int(row["vitals_id"]) == vitals.id
        assert datetime.fromisoformat(row["taken_at"]) == vitals.taken_at
        assert (int(row["heart_rate"]) if row["heart_rate"] else None) == vitals.signs.hr
        assert (
            float(row["temperature_c"]) if row["temperature_c"] else None
        ) == vitals.signs.temp_c
        assert row["superseded"] == ("true" if vitals.superseded else "false")


def test_the_sessions_csv_round_trips(
    database: Database, clock: FakeClock, charge: Actor, reviewed: SessionReview
) -> None:
    page = ReviewService(database.sessions, clock).list_sessions(charge, SessionFilter(), limit=40)
    rows = list(csv.DictReader(io.StringIO(sessions_csv(page.rows))))
    assert tuple(rows[0]) == SESSION_COLUMNS and len(rows) == len(page.rows)
    for row, session in zip(rows, page.rows, strict=True):
        assert int(row["session_id"]) == session.id
        assert datetime.fromisoformat(row["created_at"]) == session.created_at
        assert row["patient"] == session.patient_name and row["drug"] == session.drug
        assert int(row["vitals_sets"]) == session.vitals_sets
        assert row["highest_priority"] == priority_code(session.highest_priority)


def test_the_quality_csv_has_every_measure(
    database: Database, charge: Actor, reviewed: SessionReview
) -> None:
    report = QualityService(database.sessions).report(
        charge,
        SessionFilter(
            since=datetime(2026, 1, 1, tzinfo=UTC),
            until=datetime(2026, 3, 1, tzinfo=UTC),
            drug="Rituximab",
        ),
    )
    rows = list(csv.DictReader(io.StringIO(quality_csv(report))))
    assert tuple(rows[0]) == QUALITY_COLUMNS
    heading = {row["row"]: row["shown"] for row in rows if row["table"] == "report"}
    assert heading["period"] == report.period and "Jan 2026" in heading["period"]
    assert heading["filters"] == "drug Rituximab"
    tables = {row["table"] for row in rows}
    assert {"alarm_nurse", "response_times", "reactions_drug_cycle", "on_time_nurse"} <= tables
    figures = [row for row in rows if row["table"] != "report"]
    assert len(figures) == sum(
        len(t.rows) * len(t.columns) for s in report.sections for t in s.tables
    )


def test_the_fhir_bundle_validates_as_r4_with_vital_signs_and_the_reaction(
    reviewed: SessionReview,
) -> None:
    bundle = session_bundle(reviewed)
    Bundle.model_validate(bundle)  # raises on any schema error
    resources = [entry["resource"] for entry in bundle["entry"]]
    kinds = [r["resourceType"] for r in resources]
    assert kinds[:2] == ["Patient", "Encounter"]
    assert "AdverseEvent" in kinds and "AllergyIntolerance" in kinds
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    codes = {r["code"]["coding"][0]["code"] for r in observations}
    assert {"8867-4", "9279-1", "2708-6", "8310-5", "85354-9"} <= codes
    for obs in observations:
        assert obs["category"][0]["coding"][0]["code"] == "vital-signs"
        assert obs["subject"]["reference"].startswith("urn:uuid:")
        assert "effectiveDateTime" in obs
        if obs["code"]["coding"][0]["code"] == "85354-9":
            components = {c["code"]["coding"][0]["code"]: c for c in obs["component"]}
            assert set(components) == {"8480-6", "8462-4"}
            assert components["8480-6"]["valueQuantity"]["code"] == "mm[Hg]"
        else:
            quantity = obs["valueQuantity"]
            assert quantity["system"] == "http://unitsofmeasure.org"
            assert quantity["code"] in {"/min", "%", "Cel"}
    current = len(reviewed.current_vitals)
    assert sum(1 for o in observations if o["code"]["coding"][0]["code"] == "8867-4") == current


def test_a_monitor_mean_arterial_pressure_is_exported_in_csv_and_fhir(
    reviewed: SessionReview,
) -> None:
    """MAP (sent by a monitor, never typed) is a CSV column and the BP panel's 8478-0 component."""
    first, *rest = reviewed.vitals
    with_map = replace(reviewed, vitals=(replace(first, mean_bp=91), *rest))
    rows = list(csv.DictReader(io.StringIO(vitals_csv(with_map))))
    assert [row["mean_arterial_pressure"] for row in rows] == ["91"] + [""] * len(rest)
    bundle = session_bundle(with_map)
    Bundle.model_validate(bundle)
    panels = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"]["coding"][0]["code"] == "85354-9"
    ]
    means = [
        c["valueQuantity"]
        for panel in panels
        for c in panel["component"]
        if c["code"]["coding"][0]["code"] == "8478-0"
    ]
    assert means == [{"value": 91, "unit": "mm[Hg]", "system": "http://unitsofmeasure.org",
                      "code": "mm[Hg]"}]  # fmt: skip


def test_every_pdf_page_names_the_patient_and_the_session_date_and_counts_pages(
    qtbot: QtBot, reviewed: SessionReview, tmp_path: Path
) -> None:
    path = write_session_pdf(reviewed, tmp_path / "s.pdf", "Cy Charge", datetime.now(UTC))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]
    patient = reviewed.detail.patient
    started = next(e.at for e in reviewed.detail.timeline if e.kind == "start")
    day = started.astimezone().strftime("%d %b %Y")
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert patient.name in text and f"MRN {patient.mrn}" in text, number
        assert f"Infusion session of {day}" in text, number
        assert f"page {number} of {len(pages)}" in text, number
    whole = " ".join(pages)
    assert "Point at the plot" not in whole  # no on-screen hint on paper
    assert "minute " not in whole and "niaid_2006" not in whole  # findings in words


def test_a_pdf_to_an_unwritable_place_is_refused(
    qtbot: QtBot, reviewed: SessionReview, tmp_path: Path
) -> None:
    with pytest.raises(ExportWriteError):
        write_session_pdf(reviewed, tmp_path / "no" / "such" / "s.pdf", "Cy", datetime.now(UTC))


def test_the_pdf_lists_the_medicines_with_dose_and_route_as_recorded(
    qtbot: QtBot, reviewed: SessionReview, tmp_path: Path
) -> None:
    path = write_session_pdf(reviewed, tmp_path / "s.pdf", "Cy Charge", datetime.now(UTC))
    flat = " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())
    detail = reviewed.detail
    assert "Medicines" in flat
    infused = next(m for m in reviewed.medicines if m.why == "infusion")
    assert (infused.medicine, infused.dose, infused.route) == (
        detail.drug_name,
        detail.dose_text(),
        "IV",
    )
    assert f"{detail.drug_name} {detail.dose_text()} IV" in flat
    given = [m for m in reviewed.medicines if m.why == "reaction"]
    assert given, "the reaction session had medicines given"
    for medicine in given:
        assert medicine.medicine in flat
        assert medicine.dose is None, "no dose is stored for a reaction medicine: none invented"
    assert "not recorded" in flat
    epinephrine = [m for m in given if m.medicine.startswith("Epinephrine")]
    assert all(m.route == "IM" for m in epinephrine)


def test_the_printed_trend_shows_its_legend_whole(qtbot: QtBot, reviewed: SessionReview) -> None:
    plot = trend_for_print(reviewed.trend, *PLOT_RENDER_SIZE)
    try:
        legend = plot.findChild(QLabel, "TrendLegend")
        assert legend is not None and legend.isVisible()
        assert legend.width() >= legend.sizeHint().width(), "the legend is not cut short"
        inside = QRect(legend.mapTo(plot, QPoint(0, 0)), legend.size())
        assert plot.rect().contains(inside)
        assert "typed" in legend.text() and "monitor" in legend.text()
        assert "baseline" in legend.text()
    finally:
        plot.close()
