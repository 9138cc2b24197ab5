"""Pipeline hygiene: the rules as configuration, the facts they read, and their pure decisions."""
