"""Reports and exports of finished sessions: PDF for the chart, CSV, FHIR R4 for the EHR."""
