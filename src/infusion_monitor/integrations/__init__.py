"""Links to other systems: reports and exports (PDF, CSV, FHIR R4) and the HL7 v2 monitor feed."""
