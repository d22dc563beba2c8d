"""Care and alerts at the chair: symptoms, guidance, treatment, outcome; alerts, silencing."""
