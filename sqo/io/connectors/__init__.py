"""Live connectors: read a CRM through its API and feed the same readers as its exports."""
