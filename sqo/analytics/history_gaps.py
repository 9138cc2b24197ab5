"""Signs that a workspace's stage history is missing, so that a win rate or a sales cycle
computed from it would mislead; the funnel and benchmark reports withhold those figures.

An export without stage history gives each closed deal one stage: its final one. A lost deal
then "reached nothing", so it is in no SQO cohort, and a won deal reached every step at once.
Two rules, over the whole workspace as of the report's ``as_of`` (not one cohort or period:
the signature is the workspace's, a small cohort alone proves nothing):

- **Losses missing.** The workspace holds won and lost deals and not one lost deal reached
  SQO in its history, while every won deal did (won reaches every step). Real funnels lose
  deals after SQO; none at all means the losses' history is missing. Then an SQO win rate
  with won deals and no lost ones is withheld: it counts the wins and none of the losses.
- **Wins missing.** At least half of the won deals were won in their first stage row (no
  stage before Won in their history), so their cycles are 0 days by construction. Then
  every sales cycle is withheld.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select
from sqlalchemy.sql.selectable import FromClause

from sqo.analytics.milestones import Ladder, as_int
from sqo.i18n import _


@dataclass(frozen=True)
class HistoryGaps:
    won: int
    lost: int
    lost_after_sqo: int  # lost deals whose history reached SQO
    won_at_creation: int  # won deals whose first stage row is the win

    @property
    def losses_missing(self) -> bool:
        return self.won > 0 and self.lost > 0 and self.lost_after_sqo == 0

    @property
    def wins_missing(self) -> bool:
        return self.won > 0 and 2 * self.won_at_creation >= self.won


def history_gaps(
    connection: Connection, ladder: Ladder, sqo_index: int, times: FromClause
) -> HistoryGaps:
    """The counts behind both rules, from a command's materialised milestones."""
    won = times.c.current_stage == ladder.won
    lost = times.c.current_stage == ladder.lost
    won_at = times.c[f"m{len(ladder.names) - 1}"]
    row = connection.execute(
        select(
            as_int(won).label("won"),
            as_int(lost).label("lost"),
            as_int(and_(lost, times.c[f"m{sqo_index}"].is_not(None))).label("lost_after_sqo"),
            as_int(and_(won, won_at == times.c.first_at)).label("won_at_creation"),
        ).select_from(times)
    ).one()
    return HistoryGaps(
        int(row.won), int(row.lost), int(row.lost_after_sqo), int(row.won_at_creation)
    )


def win_rate_withheld(gaps: HistoryGaps, sqo: str) -> str:
    return _(
        "The SQO win rate is withheld: none of the {lost} lost deals reached {sqo} in their "
        "stage history while the won deals did, so it would count the wins and none of the "
        "losses. Import the stage history, or import the export into a new workspace with "
        "--start-stage {sqo} if your deals start as SQOs.",
        lost=gaps.lost,
        sqo=sqo,
    )


def cycle_withheld(gaps: HistoryGaps) -> str:
    return _(
        "The sales cycle is withheld: {count} of the {won} won deals have no stage before the "
        "win in their stage history, so their cycles are 0 days by construction. Import the "
        "stage history, or import the export into a new workspace (deals without stage "
        "history then start at their creation; see --start-stage).",
        count=gaps.won_at_creation,
        won=gaps.won,
    )
