"""The demo: a realistic, seeded sales organisation to explore every feature on."""
