"""The parameters the demo organisation behaves by, chosen to land inside the seed benchmarks
(DOMAIN.md section 3) with variation between segments and reps."""

from __future__ import annotations

from dataclasses import dataclass

from sqo.domain.values import Segment


@dataclass(frozen=True)
class SegmentProfile:
    team: str
    office: str
    reps: int
    account_share: float
    amount_median: float  # deal value, USD
    amount_spread: float  # lognormal sigma
    cycle_median_days: float  # creation to close won
    cycle_spread: float
    win_rate: float  # of SQOs that close
    activity_gap_days: float  # mean days between touches on a live deal
    quota_per_quarter: int  # USD per rep
    lead_pace: float  # multiplies the days a lead waits at each step (small buyers move faster)


SEGMENTS: dict[Segment, SegmentProfile] = {
    Segment.SMB: SegmentProfile(
        "SMB", "Stockholm", 10, 0.48, 22_000, 0.45, 17, 0.35, 0.44, 4, 60_000, 0.45
    ),
    Segment.MID_MARKET: SegmentProfile(
        "Mid-Market", "London", 8, 0.3, 62_000, 0.5, 38, 0.35, 0.3, 6, 190_000, 0.7
    ),
    Segment.ENTERPRISE: SegmentProfile(
        "Enterprise", "New York", 7, 0.22, 180_000, 0.55, 115, 0.3, 0.21, 8, 400_000, 1.0
    ),
}

MANAGERS = {"SMB": "Karin Lindqvist", "Mid-Market": "Oliver Hughes", "Enterprise": "Dana Whitfield"}

REP_NAMES = [
    "Erik Sandberg",
    "Maja Holm",
    "Liam Berg",
    "Sofia Nyström",
    "Noah Ekström",
    "Alva Sjöberg",
    "Hugo Lund",
    "Ella Forsberg",
    "Oscar Wikström",
    "Wilma Dahl",
    "Amelia Clarke",
    "James Patel",
    "Grace O'Neill",
    "Harry Mensah",
    "Isla Fraser",
    "Jack Morrison",
    "Chloe Bennett",
    "Thomas Reid",
    "Priya Raman",
    "Marcus Cole",
    "Elena Petrova",
    "Daniel Kim",
    "Sarah Goldberg",
    "Miguel Alvarez",
    "Rachel Stein",
]

CAMPAIGNS = [
    # name, channel, cost USD, first month offset, length in months, lead quality
    ("Pipeline Summit webinar", "Webinar", 12_000, 0, 1, 1.10),
    ("Search – forecasting software", "Paid search", 48_000, 0, 18, 0.85),
    ("SaaStr booth", "Event", 65_000, 3, 1, 1.20),
    ("RevOps benchmark report", "Content", 18_000, 5, 6, 0.95),
    ("LinkedIn – sales leaders", "Paid social", 36_000, 6, 9, 0.80),
    ("Partner referral programme", "Partner", 20_000, 2, 16, 1.35),
    ("Q3 outbound sequence", "Outbound", 9_000, 8, 3, 0.90),
    ("Customer dinner Stockholm", "Event", 14_000, 10, 1, 1.40),
    ("Win-rate masterclass webinar", "Webinar", 11_000, 12, 1, 1.15),
    ("G2 reviews listing", "Review site", 15_000, 4, 14, 1.00),
    ("Nurture e-mail track", "Email", 6_000, 1, 17, 0.75),
    ("Dreamforce side event", "Event", 40_000, 14, 1, 1.25),
]

ORGANIC_SOURCES = [("Website", 0.45), ("Referral", 0.2), ("Outbound", 0.35)]

COMPETITORS = ["Northwind Suite", "Contoso CRM", "Fabrikam Pipeline", "Initech Sales Cloud"]

LOSS_REASONS = [
    ("Price", 0.22),
    ("Lost to competitor", 0.24),
    ("No decision", 0.26),
    ("Timing", 0.12),
    ("Champion left", 0.06),
    ("Not a fit", 0.10),
]

EARLY_LOSS_REASONS = [("Not a fit", 0.4), ("No budget", 0.35), ("No decision", 0.25)]

NEXT_STEPS = {
    "Qualification": "Discovery call with the team lead",
    "SQO": "Map stakeholders and agree evaluation plan",
    "Solution": "Tailored demo for the operations team",
    "Proposal": "Walk the buyer through the proposal",
    "Negotiation": "Pricing call with procurement",
    "Commit": "Countersign order form",
}

COMPANY_HEADS = [
    "Nord",
    "Bright",
    "Silver",
    "Blue",
    "Iron",
    "Oak",
    "North",
    "Swift",
    "Clear",
    "Green",
    "Polar",
    "Summit",
    "River",
    "Stone",
    "Cedar",
    "Harbor",
    "Aurora",
    "Vertex",
    "Pine",
    "Copper",
    "Atlas",
    "Falcon",
    "Lumen",
    "Maple",
    "Nova",
    "Orbit",
    "Quartz",
    "Sage",
    "Tidal",
    "Zenith",
    "Elk",
    "Fjord",
    "Granite",
    "Heron",
    "Juniper",
    "Kestrel",
    "Linden",
    "Meadow",
    "Onyx",
    "Rowan",
]
COMPANY_TAILS = [
    "vik",
    "line",
    "works",
    "field",
    "gate",
    "bridge",
    "point",
    "wave",
    "labs",
    "forge",
    "stream",
    "path",
    "light",
    "core",
    "scale",
    "grid",
    "well",
    "mark",
    "ridge",
    "haven",
    "soft",
    "data",
    "logic",
    "health",
    "foods",
    "energy",
    "logistics",
    "retail",
    "finance",
]
COMPANY_FORMS = ["AB", "Inc.", "Ltd", "GmbH", "Group", "AS", "Oy", "Holdings"]
INDUSTRIES = [
    "Software",
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Logistics",
    "Finance",
    "Media",
    "Energy",
    "Professional services",
    "Education",
]
FIRST_NAMES = [
    "Anna",
    "Johan",
    "Lena",
    "Peter",
    "Sara",
    "David",
    "Emma",
    "Mikael",
    "Laura",
    "Chris",
    "Nina",
    "Tom",
    "Julia",
    "Alex",
    "Maria",
    "Sam",
    "Eva",
    "Ben",
    "Ida",
    "Leo",
]
LAST_NAMES = [
    "Andersson",
    "Smith",
    "Johansson",
    "Brown",
    "Karlsson",
    "Wilson",
    "Nilsson",
    "Taylor",
    "Eriksson",
    "Davies",
    "Larsson",
    "Evans",
    "Olsson",
    "Walker",
    "Persson",
]
TITLES = {
    "economic_buyer": "CFO",
    "champion": "Head of Sales Operations",
    "decision_maker": "VP Sales",
    "technical_buyer": "IT Director",
    "stakeholder": "Sales Manager",
}

PRODUCTS = ["Platform", "Forecasting", "Analytics", "Team"]

EVIDENCE_NOTES = {
    "problem_identified": "Forecast misses of 20%+ for three quarters; board is asking why.",
    "solution_fit": "Walked through their pipeline review; our cohort reports cover it.",
    "value_proposition": "They quantify 6 hours a week saved per manager.",
    "budget_range": "Budget set aside for this fiscal year.",
    "pricing_parameters": "Per-seat pricing accepted; 2-year term on the table.",
    "procurement_process": "Security review, then legal; typically 3 weeks.",
    "access_confirmed": "Meeting with the economic buyer booked.",
    "decision_process": "VP Sales decides with CFO sign-off over the threshold.",
    "key_milestones": "Pilot review, security sign-off, board approval.",
    "information_flowing": "They shared their current funnel numbers.",
    "mutual_commitment": "Mutual action plan agreed in writing.",
}

LEGIT_REASONS = [
    "Budget confirmed with the CFO; pilot scope and timeline agreed.",
    "Economic buyer engaged, clear pain on forecast accuracy, decision this quarter.",
    "Champion in RevOps, mutual plan signed, procurement path known.",
]
OVERRIDE_REASONS = [
    "Override: strong inbound interest from the VP, will confirm budget next week.",
    "Override: competitor displacement chance, need to move before their renewal.",
    "Override: big logo, manager asked to push it into the pipeline now.",
]
