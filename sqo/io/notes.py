"""What an import had to change in a file's values to store them, counted while the file is
read and told in the import report: nothing is changed silently, and nothing is refused for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqo.i18n import _


@dataclass
class FileNotes:
    nul_removed: int = 0  # NUL characters in text (rich-text fields); PostgreSQL cannot store them
    amounts_rounded: int = 0  # amounts with more than two decimals, rounded to cents
    # What the reader assumed where the file is silent (translated sentences), such as the
    # stage deals without stage history started at.
    said: list[str] = field(default_factory=list)

    def messages(self, file: str) -> list[str]:
        found = []
        if self.nul_removed:
            found.append(
                _(
                    "{count} NUL character(s) removed from text in {file}.",
                    count=self.nul_removed,
                    file=file,
                )
            )
        if self.amounts_rounded:
            found.append(
                _(
                    "{file}: {count} amount(s) had more than two decimals and were rounded to "
                    "cents (half-even).",
                    count=self.amounts_rounded,
                    file=file,
                )
            )
        found += [f"{file}: {sentence}" for sentence in self.said]
        return found
