"""Links to other systems: the HL7 v2 monitor feed."""
