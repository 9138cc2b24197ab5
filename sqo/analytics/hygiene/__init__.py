"""Set-based queries gathering the facts the hygiene rules decide from."""
