"""The SQL schema: a small number of plainly named tables, portable across SQLite and PostgreSQL
(and readable by a columnar engine later). Current state lives in the record tables; every change
to it is appended to ``history`` in the same transaction.

Amounts are whole minor units (cents) in BIGINT columns: exact sums in every engine.
Timestamps are UTC without a zone.
"""

# Long because: one schema, read whole by the migrations' checks and the analytics copy.

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("value", JSON, nullable=False),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("manager_id", Integer, nullable=True),  # a rep; no FK to avoid a cycle with reps
    Column("external_id", String(120), unique=True),
)

reps = Table(
    "reps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("email", String(254), index=True),  # shared addresses exist (integration users)
    Column("team_id", ForeignKey("teams.id")),
    Column("manager_id", ForeignKey("reps.id")),
    Column("role", String(20), nullable=False, default="rep"),
    Column("active", Boolean, nullable=False, default=True),
    Column("external_id", String(120), unique=True),
)

quotas = Table(
    "quotas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rep_id", ForeignKey("reps.id")),
    Column("team_id", ForeignKey("teams.id")),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Index(None, "rep_id", "period_start"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("segment", String(20)),
    Column("industry", String(120)),
    Column("employees", Integer),
    Column("country", String(120)),
    Column("created_at", DateTime),
    Column("external_id", String(120), unique=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Index(None, "name"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id")),
    Column("name", String(255), nullable=False),
    Column("email", String(254)),
    Column("title", String(255)),
    Column("buying_role", String(30)),
    Column("external_id", String(120), unique=True),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("channel", String(80)),
    Column("cost_cents", BigInteger),
    Column("currency", String(3)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("external_id", String(120), unique=True),
)

leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("company", String(255)),
    Column("email", String(254)),
    Column("account_id", ForeignKey("accounts.id")),
    Column("owner_id", ForeignKey("reps.id")),
    Column("segment", String(20)),
    Column("stage", String(40), nullable=False),
    Column("source", String(80)),
    Column("campaign_id", ForeignKey("campaigns.id")),
    Column("converted_opportunity_id", Integer),  # set on conversion; the opportunity links back
    Column("converted_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("external_id", String(120), unique=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Index(None, "stage"),
    Index(None, "created_at"),
)

# Campaign touches, for first-, last- and multi-touch attribution.
campaign_members = Table(
    "campaign_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id"), nullable=False),
    Column("lead_id", ForeignKey("leads.id")),
    Column("contact_id", ForeignKey("contacts.id")),
    Column("status", String(40)),
    Column("touched_at", DateTime, nullable=False),
    Column("external_id", String(120), unique=True),
    Index(None, "lead_id", "touched_at"),
)

opportunities = Table(
    "opportunities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("account_id", ForeignKey("accounts.id")),
    Column("owner_id", ForeignKey("reps.id")),
    Column("stage", String(40), nullable=False),
    Column("amount_cents", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("close_date", Date),
    Column("next_step", String(255)),
    Column("next_step_due", Date),
    Column("forecast_category", String(20)),
    Column("probability", Float),
    Column("competitors", JSON, nullable=False, default=list),
    Column("complexity", String(20), nullable=False, default="standard"),
    Column("loss_reason", String(255)),
    Column("lead_id", ForeignKey("leads.id")),
    Column("campaign_id", ForeignKey("campaigns.id")),
    Column("source", String(80)),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("version", Integer, nullable=False, default=1),
    Column("external_id", String(120), unique=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Index(None, "stage"),
    Index(None, "owner_id"),
    Index(None, "close_date"),
    Index(None, "created_at"),
)

# Exchange rates against the workspace's corporate currency (setting ``default_currency``):
# ``rate`` units of ``currency`` per one unit of the corporate currency, as Salesforce's
# CurrencyType and DatedConversionRate write them, kept as the exact decimal text of the source.
# A dated rate applies from ``valid_from`` up to (not including) ``valid_until``; a rate with
# neither date is the currency's static rate (sqo.analytics.currency applies them).
exchange_rates = Table(
    "exchange_rates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("rate", String(40), nullable=False),
    Column("valid_from", Date),
    Column("valid_until", Date),
    Column("source", String(40), nullable=False),
    Column("external_id", String(120), unique=True),
    Index(None, "currency", "valid_from"),
)

# Buying roles per deal (Salesforce's OpportunityContactRole).
opportunity_contacts = Table(
    "opportunity_contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("contact_id", ForeignKey("contacts.id"), nullable=False),
    Column("role", String(30)),
    Column("is_primary", Boolean, nullable=False, default=False),
    Column("external_id", String(120), unique=True),
    # When the role became known on the deal (Salesforce's CreatedDate): the forecast reads the
    # roles a deal had at a past moment. NULL where the source gives no date (HubSpot).
    Column("added_at", DateTime),
    Index(None, "opportunity_id"),
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("direction", String(10), nullable=False),
    Column("subject", String(255)),
    Column("occurred_at", DateTime, nullable=False),
    Column("lead_id", ForeignKey("leads.id")),
    Column("opportunity_id", ForeignKey("opportunities.id")),
    Column("contact_id", ForeignKey("contacts.id")),
    Column("rep_id", ForeignKey("reps.id")),
    Column("external_id", String(120), unique=True),
    Index(None, "opportunity_id", "occurred_at"),
    Index(None, "lead_id", "occurred_at"),
)

# The history fields analytics read (short values only: the covering index below holds them).
ANALYTICS_FIELDS = ("stage", "amount_cents", "close_date", "owner_id", "closed_at")
ANALYTICS_FIELDS_SQL = "field IN ({})".format(", ".join(f"'{f}'" for f in ANALYTICS_FIELDS))

# The append-only record of every field change of leads and opportunities.
history = Table(
    "history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("record_type", String(20), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("field", String(40), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("changed_at", DateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("justification", Text),
    Index(None, "record_type", "record_id", "changed_at"),
    Index(None, "record_type", "field", "changed_at"),
    # Analytics read the few short fields below record by record, in time order (milestones,
    # states at a moment); this covering, partial index serves them without table lookups.
    Index(
        "ix_history_analytics",
        "record_type",
        "field",
        "record_id",
        "changed_at",
        "id",
        "new_value",
        sqlite_where=text(ANALYTICS_FIELDS_SQL),
        # postgresql_where: see postgresql_options() below.
    ),
)


def postgresql_options() -> None:
    """Give the partial index its condition on PostgreSQL too. Done when the first PostgreSQL
    engine is made, not here: naming a ``postgresql_`` option loads SQLAlchemy's PostgreSQL
    dialect (20-30 ms) in every command, on SQLite too (benchmarks/results/startup.md)."""
    for index in history.indexes:
        if index.name == "ix_history_analytics":
            index.dialect_kwargs["postgresql_where"] = text(ANALYTICS_FIELDS_SQL)


# What the analytics copy reads of history (sqo.store.analytics_copy); it keeps them as
# history_intervals (sqo.store.intervals).
COPIED_HISTORY_COLUMNS = ("id", "record_type", "record_id", "field", "new_value", "changed_at")

# Evidence that a qualification criterion is met (who, when, a note).
qualification_evidence = Table(
    "qualification_evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_type", String(20), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("criterion", String(80), nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_by", String(120), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("retracted_at", DateTime),
    Index(None, "record_type", "record_id"),
)

# The qualification evaluation as it was at each promotion (for lost-deal analysis).
qualification_snapshots = Table(
    "qualification_snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("playbook", String(80), nullable=False),
    Column("playbook_version", String(40), nullable=False),
    Column("evaluated_at", DateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("overridden", Boolean, nullable=False),
    Column("justification", Text),
    Column("score", Float, nullable=False),
    Column("detail", JSON, nullable=False),
    Index(None, "opportunity_id"),
)

# Who did what beyond field changes: workspace set-up, imports, gate overrides.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(60), nullable=False),
    Column("record_type", String(20)),
    Column("record_id", Integer),
    Column("detail", JSON, nullable=False, default=dict),
    Index(None, "action", "at"),
)

# Fitted win-probability models (sqo.services.forecast_models): the estimator itself (joblib
# bytes as base64 text, so it lives in the workspace on SQLite and PostgreSQL alike and goes
# through `sqo export` and its restore like every other value), what it was trained on and how
# well it did on the later, held-out weeks.
forecast_models = Table(
    "forecast_models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trained_at", DateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("kind", String(40), nullable=False),  # logistic_regression or gradient_boosting
    Column("window_start", DateTime, nullable=False),
    Column("window_end", DateTime, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("won", Integer, nullable=False),
    Column("lost", Integer, nullable=False),
    Column("features", JSON, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("model", Text, nullable=False),
    # The same model as NumPy arrays (sqo.analytics.forecast.portable), pickled and in base64:
    # scoring with it needs no scikit-learn. None for models trained before it existed.
    Column("scoring", Text, nullable=True),
)

# Frozen forecasts (sqo forecast --save): the figures, the method and the inputs, so that later
# they can be held against what closed. The first of each period and scope is its baseline.
saved_forecasts = Table(
    "saved_forecasts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("saved_at", DateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("period", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("team", String(120)),
    Column("rep", String(120)),
    Column("as_of", DateTime, nullable=False),
    Column("method", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("won_cents", BigInteger, nullable=False),
    Column("expected_cents", BigInteger, nullable=False),
    Column("p10_cents", BigInteger, nullable=False),
    Column("p50_cents", BigInteger, nullable=False),
    Column("p90_cents", BigInteger, nullable=False),
    Column("baseline", Boolean, nullable=False),
    Column("report", JSON, nullable=False),
    Index(None, "period", "team", "rep"),
)

# What the weekly review decided about a deal (`sqo decide`), with who follows it up by when, and
# the deal as it stood when decided, so that the next review can say whether the decision held.
review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("decision", String(20), nullable=False),  # advance, move-back, park, close-out
    Column("owner_id", ForeignKey("reps.id"), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("park_until", Date),
    Column("note", Text),
    Column("decided_at", DateTime, nullable=False),
    Column("decided_by", String(120), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("close_date", Date),
    Column("amount_cents", BigInteger),
    Index(None, "decided_at"),
    Index(None, "opportunity_id"),
)
