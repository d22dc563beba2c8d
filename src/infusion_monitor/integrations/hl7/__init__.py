"""HL7 v2 over MLLP: bedside monitors send ORU^R01 vital signs; each is acknowledged."""
