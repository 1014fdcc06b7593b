"""The words of the demo workspace (``server/demo.py``), in English (the default) and German.

A ``Words`` holds everything a person reads in the demo: the team's names, the workspace and
board names, stage names, custom fields, labels, companies, people, cities and phone numbers,
products, deal titles, tasks, notes, lost reasons and the project's work items. The demo's
mechanics (who makes what, in which order, through which API call) are the same in every
language; only the words and the currency differ.

Labels have a *role* (``customer``, ``decision maker``, …) the demo's logic relies on, and a
name in each language (``Words.label``). Phone numbers come from ranges reserved for drama and
fiction (US 555-01xx, Ofcom's, ARCEP's 01 99 00, the Bundesnetzagentur's), e-mail domains end
in ``.example``: the demo never names a real line or mailbox.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """Someone in the demo: ``local`` is the part of the e-mail before the ``@``."""

    local: str
    name: str
    role: str  # owner, admin, member, viewer, guest
    sells: bool  # owns deals, contacts and tasks


@dataclass(frozen=True)
class City:
    name: str
    region: str
    country: str
    postcode: str
    phone: str  # a pattern: each # is a digit


@dataclass(frozen=True)
class Words:
    locale: str
    currency: str  # the workspace's and its pipelines' (ISO 4217)
    people: tuple[Person, ...]  # owner, admin, two members, viewer, in this order
    guest: Person
    workspace: str
    project: str
    pipelines: tuple[str, str]  # new business, renewals
    pipeline_stages: tuple[str, ...] | None  # names of the seeded stages in board order; None keeps the server's
    project_stages: tuple[str, ...] | None
    custom_fields: tuple[dict, ...]
    segments: tuple[dict, ...]
    labels: dict[str, str]  # role → name
    industries: dict[str, tuple[str, ...]]  # the industry option → words a company of it is named with
    company_words: tuple[str, ...]
    legal_forms: tuple[str, ...]  # appended to company names ("" for none)
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    street_format: str  # {number} {street}
    office_mailbox: str  # an organisation's e-mail, before the @
    consulting: str  # an independent consultant's domain: their last name and this
    senior_titles: tuple[str, ...]
    titles: tuple[str, ...]
    technical: tuple[str, ...]
    independent_titles: tuple[str, ...]
    lead_sources: tuple[str, ...]  # website, website, referral, event, outbound, partner (the first is the most common)
    twin_lead_source: str
    products: tuple[tuple[str, int], ...]
    deal_title: str  # {org} {product} {seats}
    renewal_title: str  # {org} {product} {year}
    lost_reasons: tuple[str, ...]
    deal_labels: tuple[str, ...]
    next_steps: tuple[tuple[str, str], ...]  # (activity type, title with {first} and {org})
    done_steps: tuple[tuple[str, str], ...]
    follow_ups: tuple[str, ...]
    review_title: str  # {org}
    review_note: str  # {owner}
    deal_notes: tuple[tuple[str, str], ...]  # discovery, negotiation, lost
    contact_notes: tuple[tuple[str, str], ...]
    organisation_note: tuple[str, str]
    approval: str  # {helper}
    work_items: tuple[tuple[str, str, object, int, int], ...]  # title, description, who, days from today, column
    guest_items: tuple[tuple[str, int], ...]

    def label(self, role: str) -> str:
        return self.labels.get(role, role)

    def labelled(self, *roles: str) -> str:
        return "; ".join(self.label(role) for role in roles)


def ascii_local(text: str) -> str:
    """``Jörg Weiß`` → ``joergweiss``: a name as letters an e-mail address or a domain may hold."""
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


# --- English -------------------------------------------------------------------------------------

ENGLISH = Words(
    locale="en",
    currency="USD",
    people=(
        Person("owner", "Olivia Hart", "owner", True),
        Person("admin", "Marcus Chen", "admin", True),
        Person("priya", "Priya Raman", "member", True),
        Person("diego", "Diego Alvarez", "member", True),
        Person("viewer", "Hannah Berg", "viewer", False),
    ),
    guest=Person("partner", "Sam Okafor", "guest", False),
    workspace="Northwind Sales",
    project="Partner launch – Brightlane",
    pipelines=("New business", "Renewals"),
    pipeline_stages=None,
    project_stages=None,
    custom_fields=(
        {"entity": "organisation", "key": "industry", "label": "Industry", "type": "select",
         "options": ["Logistics", "Software", "Manufacturing", "Healthcare", "Retail", "Finance", "Energy",
                     "Hospitality", "Education", "Media"]},
        {"entity": "organisation", "key": "employees", "label": "Employees", "type": "number"},
        {"entity": "contact", "key": "lead_source", "label": "Lead source", "type": "select",
         "options": ["Website", "Referral", "Event", "Outbound", "Partner"]},
    ),
    segments=(
        {"name": "Decision makers", "entity": "contact", "filter": {"labels": ["decision maker"]}},
        {"name": "Champions", "entity": "contact", "filter": {"labels": ["champion"]}},
        {"name": "Enterprise accounts", "entity": "organisation", "filter": {"labels": ["enterprise"]}},
    ),
    labels={},
    industries={
        "Logistics": ("Logistics", "Freight", "Shipping", "Transport"), "Software": ("Software", "Labs", "Systems"),
        "Manufacturing": ("Manufacturing", "Industries", "Works"), "Healthcare": ("Health", "Medical", "Care"),
        "Retail": ("Retail", "Outfitters", "Goods"), "Finance": ("Capital", "Financial"),
        "Energy": ("Energy", "Power", "Renewables"), "Hospitality": ("Hotels", "Hospitality"),
        "Education": ("Learning", "Academy"), "Media": ("Media", "Studios"),
    },
    company_words=(
        "Alder", "Aster", "Beacon", "Birchwood", "Brightwater", "Cedar", "Cobalt", "Copperleaf", "Crestline",
        "Delta", "Driftwood", "Ember", "Evergreen", "Fernhill", "Foxglove", "Glacier", "Granite", "Halcyon",
        "Harbor", "Harrow", "Highland", "Indigo", "Ironbark", "Jasper", "Juniper", "Kestrel", "Keystone",
        "Larkspur", "Lumen", "Marlow", "Meridian", "Millbrook", "Nimbus", "Oakridge", "Orchard", "Parallax",
        "Pinecrest", "Quarry", "Redwood", "Riverside", "Saltmarsh", "Silverline", "Summit", "Thistle",
        "Tidewater", "Trailhead", "Upland", "Vantage", "Verdant", "Westbrook", "Willow", "Windward", "Yardley",
        "Zephyr", "Atlas", "Bluepeak", "Canyon", "Falcon", "Greystone", "Lighthouse", "Northfield", "Sterling",
    ),
    legal_forms=("",),
    first_names=(
        "Aisha", "Alex", "Amara", "Andrea", "Anna", "Ben", "Camille", "Carlos", "Chen", "Chloe", "Daniel", "Dana",
        "Elena", "Emeka", "Emma", "Farah", "Felix", "Fiona", "Gabriel", "Grace", "Hana", "Hugo", "Ines", "Isaac",
        "Jakob", "James", "Jana", "Javier", "Julia", "Kai", "Kavya", "Kenji", "Laura", "Leon", "Lina", "Lucas",
        "Maya", "Mateo", "Mei", "Mila", "Nadia", "Noah", "Nora", "Oliver", "Omar", "Paula", "Rafael", "Rosa",
        "Ruth", "Samir", "Sara", "Sofia", "Tariq", "Theo", "Tomas", "Valentina", "Wei", "Yara", "Yusuf", "Zoe",
    ),
    last_names=(
        "Abbott", "Adeyemi", "Andersson", "Bauer", "Becker", "Bianchi", "Brennan", "Brooks", "Carvalho", "Castillo",
        "Choi", "Costa", "Dubois", "Dufresne", "Eriksen", "Fischer", "Fitzgerald", "Fontaine", "Garcia", "Green",
        "Haddad", "Hansen", "Hughes", "Ibrahim", "Ito", "Jansen", "Kaur", "Kim", "Kowalski", "Larsen", "Lindqvist",
        "Lopez", "Mahmoud", "Marino", "Martin", "Meyer", "Moreau", "Murphy", "Nakamura", "Novak", "Nowak",
        "Okonkwo", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Reyes", "Rossi", "Sato", "Schmidt", "Shah",
        "Silva", "Singh", "Sullivan", "Tanaka", "Torres", "Van Dijk", "Vargas", "Walsh", "Weber", "Wright",
        "Yilmaz", "Zhang",
    ),
    cities=(
        City("San Francisco", "CA", "United States", "94107", "+1 415 555 01##"),
        City("Austin", "TX", "United States", "78701", "+1 512 555 01##"),
        City("Chicago", "IL", "United States", "60607", "+1 312 555 01##"),
        City("Boston", "MA", "United States", "02110", "+1 617 555 01##"),
        City("Denver", "CO", "United States", "80202", "+1 303 555 01##"),
        City("Seattle", "WA", "United States", "98101", "+1 206 555 01##"),
        City("Toronto", "ON", "Canada", "M5V 2T6", "+1 416 555 01##"),
        City("London", "", "United Kingdom", "EC2A 4BX", "+44 20 7946 0###"),
        City("Manchester", "", "United Kingdom", "M1 2WD", "+44 161 496 0###"),
        City("Bristol", "", "United Kingdom", "BS1 4DJ", "+44 117 496 0###"),
        City("Berlin", "", "Germany", "10115", "+49 30 23125 ###"),
        City("Hamburg", "", "Germany", "20095", "+49 40 66969 ###"),
        City("Amsterdam", "", "Netherlands", "1017 CE", "+31 20 799 9###"),
        City("Paris", "", "France", "75002", "+33 1 99 00 ## ##"),
        City("Dublin", "", "Ireland", "D02 XY45", "+353 1 555 0###"),
        City("Sydney", "NSW", "Australia", "2000", "+61 2 5550 ####"),
    ),
    streets=("Market Street", "Harbour Road", "Mill Lane", "King Street", "Station Road", "Canal Street",
             "Elm Avenue", "Bridge Street", "Park Row", "Wharf Road", "Church Lane", "High Street"),
    street_format="{number} {street}",
    office_mailbox="hello",
    consulting="consulting",
    senior_titles=("CEO", "COO", "CFO", "VP Operations", "VP Sales", "Head of Procurement", "Head of Logistics",
                   "Operations Director", "IT Director", "CTO"),
    titles=("Operations Manager", "Fleet Manager", "Procurement Manager", "Dispatch Lead", "Finance Manager",
            "Logistics Coordinator", "Warehouse Manager", "Data Analyst", "Engineering Manager", "Product Manager",
            "Customer Service Lead", "Office Manager", "Buyer", "Solutions Architect", "Marketing Manager"),
    technical=("IT Director", "CTO", "Data Analyst", "Engineering Manager", "Solutions Architect"),
    independent_titles=("Independent consultant", "Fractional COO", "Logistics advisor"),
    lead_sources=("Website", "Website", "Referral", "Event", "Outbound", "Partner"),
    twin_lead_source="Event",
    products=(("Fleet platform", 420), ("Route analytics", 300), ("Warehouse suite", 510),
              ("Driver app", 180), ("Compliance pack", 240), ("Integrations API", 360)),
    deal_title="{org} – {product} ({seats} seats)",
    renewal_title="{org} – {product} renewal {year}",
    lost_reasons=("Went with a competitor (Globex)", "Budget frozen until next fiscal year",
                  "No decision – the champion left", "Price too high for the seat count",
                  "Timing: revisit after their migration", "Chose to build in-house"),
    deal_labels=("inbound", "referral", "enterprise", "upsell", "multi-year", "at risk", "pilot"),
    next_steps=(
        ("call", "Follow-up call with {first}"), ("call", "Pricing questions – call {first}"),
        ("meeting", "Demo for the {org} team"), ("meeting", "On-site workshop at {org}"),
        ("email", "Send the proposal to {first}"), ("email", "Share the logistics case study with {first}"),
        ("todo", "Prepare a quote for {org}"), ("deadline", "Contract signature due – {org}"),
    ),
    done_steps=(("call", "Discovery call with {first}"), ("meeting", "Kick-off with {org}"),
                ("email", "Intro e-mail to {first}"), ("todo", "Qualify budget and timeline")),
    follow_ups=("Check in with {first} after the webinar", "Ask {first} for a referral",
                "Congratulate {first} on the new role", "Invite {first} to the customer day"),
    review_title="Review the discount request for {org}",
    review_note="{owner} asks for a second pair of eyes before sending the offer.",
    deal_notes=(
        ("Discovery call – {org}",
         "Spoke with {first} for forty minutes. They run {size} vehicles out of two depots and plan routes in "
         "spreadsheets every morning; dispatch starts at 5:30 and the plan is rarely final before 7.\n\n"
         "Pain points: late deliveries in the afternoon wave, no live view of where drivers are, and a customer "
         "service team that answers \"where is my order?\" by phone all day.\n\n"
         "Next: a tailored demo with their operations lead, then a two-week pilot on one depot. {first} will send "
         "last month's delivery data so we can show their own routes."),
        ("Negotiation – where we stand",
         "Procurement pushed back on the per-seat price and asked for a three-year term with a fixed rate. "
         "We can offer 8% for multi-year if they sign before the quarter closes.\n\n"
         "Legal redlines are limited to the liability cap and data residency (they want EU hosting); both are "
         "standard for us.\n\n"
         "Risk: their CFO joins the final call and has a competing quote from Globex. {first} is our champion and "
         "will share the internal business case with us beforehand."),
        ("Why we lost {org}",
         "{first} told us the decision went to a cheaper tool that covers route planning only. Our analytics and "
         "driver app were seen as nice-to-have this year.\n\n"
         "What to do differently: bring the operations lead in earlier and quantify the cost of late deliveries "
         "with their own numbers, not industry averages.\n\n"
         "Keep in touch: their contract with the other vendor is for one year. Set a reminder for the renewal "
         "window."),
    ),
    contact_notes=(
        ("Met {first} at LogiTech Summit",
         "{first} came by the booth after the fleet electrification panel. {org} is replacing its telematics "
         "provider next year and wants one system for routing and compliance.\n\n"
         "Personal: runs marathons, was in Lisbon for the conference, prefers e-mail over calls before noon.\n\n"
         "Agreed to send the case study and a short video of the driver app."),
        ("Background on {first}",
         "{first} joined {org} in spring from a competitor of theirs and is rebuilding the operations team. "
         "Budget owner for tooling up to about 50k a year; above that the COO signs.\n\n"
         "Good relationship with our support team from their previous company, where they used us for three "
         "years."),
    ),
    organisation_note=(
        "Account plan {year}",
        "{org} is one of our reference customers: renewal due later this year, expansion possible in the "
        "warehouse team.\n\n"
        "Goals: keep the renewal at the same price, add the analytics add-on, and get a quote for the case "
        "study page.\n\n"
        "Relationships: {first} (champion) and the finance director, whom we have not met yet. Plan a QBR "
        "next month.",
    ),
    approval="{helper}: approved the multi-year discount up to 10%. Don't go lower without talking to me first.",
    work_items=(
        ("Sign the referral agreement", "Commission 15% of first-year value; legal has approved.", 0, -12, 2),
        ("Partner portal access for Brightlane", "Five consultant logins, read-only on pricing.", 1, -5, 2),
        ("Train Brightlane consultants on the driver app", "Two sessions, recorded.", "guest", 3, 1),
        ("Draft the joint case study", "Customer: a mid-size freight company they implemented last year.",
         "guest", 9, 1),
        ("Price list for the partner tier", "Discount bands by annual volume.", 1, -1, 1),
        ("Co-marketing webinar: smarter routing", "Brightlane presents, we demo. Target 150 sign-ups.", 2, 21, 0),
        ("Landing page for the webinar", "", 3, 14, 0),
        ("Shared Slack channel", "", "guest", -20, 2),
        ("Joint target account list", "Twenty accounts we both know.", 0, 5, 0),
        ("Implementation checklist v1", "What Brightlane does in the first 30 days of a rollout.", "guest", 0, 1),
        ("Quarterly partner review", "", 0, 35, 0),
    ),
    guest_items=(("Brightlane logo and boilerplate for the website", 4), ("Book a room for the training", 2)),
)


# --- German --------------------------------------------------------------------------------------

GERMAN = Words(
    locale="de",
    currency="EUR",
    people=(
        Person("owner", "Katrin Schäfer", "owner", True),
        Person("admin", "Jörg Meißner", "admin", True),
        Person("aylin", "Aylin Öztürk", "member", True),
        Person("lukas", "Lukas Brandt", "member", True),
        Person("viewer", "Sabine Krüger", "viewer", False),
    ),
    guest=Person("partner", "Tobias Weiß", "guest", False),
    workspace="Nordwind Vertrieb",
    project="Partnerstart – Hellweg Consulting",
    pipelines=("Neugeschäft", "Verlängerungen"),
    # As the web app names a German board's seeded stages (client/web/src/i18n/de.ts, defaults).
    pipeline_stages=("Lead eingegangen", "Qualifiziert", "Angebot gesendet", "Verhandlung", "Gewonnen", "Verloren"),
    project_stages=("Zu erledigen", "In Arbeit", "Erledigt"),
    custom_fields=(
        {"entity": "organisation", "key": "industry", "label": "Branche", "type": "select",
         "options": ["Logistik", "Software", "Maschinenbau", "Gesundheitswesen", "Handel", "Finanzen", "Energie",
                     "Gastgewerbe", "Bildung", "Medien"]},
        {"entity": "organisation", "key": "employees", "label": "Mitarbeitende", "type": "number"},
        {"entity": "contact", "key": "lead_source", "label": "Lead-Quelle", "type": "select",
         "options": ["Website", "Empfehlung", "Messe", "Kaltakquise", "Partner"]},
    ),
    segments=(
        {"name": "Entscheider", "entity": "contact", "filter": {"labels": ["Entscheider"]}},
        {"name": "Fürsprecher", "entity": "contact", "filter": {"labels": ["Fürsprecher"]}},
        {"name": "Großkunden", "entity": "organisation", "filter": {"labels": ["Großkunde"]}},
    ),
    labels={"customer": "Kunde", "prospect": "Interessent", "partner": "Partner", "enterprise": "Großkunde",
            "smb": "Mittelstand", "churn risk": "Kündigungsrisiko", "decision maker": "Entscheider",
            "technical": "Technik", "champion": "Fürsprecher", "newsletter": "Newsletter", "event": "Messe"},
    industries={
        "Logistik": ("Logistik", "Spedition", "Transporte"), "Software": ("Software", "Systeme", "Digital"),
        "Maschinenbau": ("Maschinenbau", "Werke", "Anlagenbau"), "Gesundheitswesen": ("Medizintechnik", "Pflege"),
        "Handel": ("Handel", "Großhandel", "Warenhaus"), "Finanzen": ("Finanz", "Kapital"),
        "Energie": ("Energie", "Solar", "Wärme"), "Gastgewerbe": ("Hotels", "Gastronomie"),
        "Bildung": ("Akademie", "Bildung"), "Medien": ("Medien", "Verlag"),
    },
    company_words=(
        "Alpenblick", "Rheintal", "Nordlicht", "Hansa", "Isartal", "Elbufer", "Donau", "Schwarzwald", "Falkenstein",
        "Lindenhof", "Sonnenberg", "Eichenwald", "Weserland", "Spreewald", "Mainufer", "Taunus", "Harzer",
        "Adler", "Kranich", "Löwen", "Greif", "Mühlbach", "Wiesental", "Steinbach", "Birkenhof", "Tannenberg",
        "Seeblick", "Ostwind", "Westfalen", "Bodensee", "Allgäuer", "Eifel", "Mosel", "Neckar", "Lahntal",
        "Fuldaer", "Ruhrtal", "Saale", "Havel", "Emsland", "Lechfeld", "Zugspitz", "Feldberg", "Brocken",
        "Rhön", "Spessart", "Odenwald", "Westerwald", "Hunsrück", "Vogelsberg", "Ammersee", "Chiemgau",
        "Tegernseer", "Müritz", "Rügen", "Sylter", "Kaiserstuhl", "Fichtel", "Altmühl", "Würmtal", "Börde",
        "Uckermark",
    ),
    legal_forms=("GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "e.K."),
    first_names=(
        "Jürgen", "Jörg", "Björn", "Sören", "Jens", "Katrin", "Anja", "Bärbel", "Mia", "Lena", "Lea", "Hannah",
        "Emma", "Leonie", "Jonas", "Lukas", "Felix", "Maximilian", "Paul", "Moritz", "Niklas", "Tim", "Jan",
        "Stefan", "Thomas", "Michael", "Andreas", "Sabine", "Claudia", "Petra", "Susanne", "Birgit", "Ulrike",
        "Dörte", "Günther", "Jörn", "Ömer", "Ayşe", "Elif", "Mehmet", "Zoë", "Anna-Lena", "Karl-Heinz",
        "Hans-Jürgen", "Friederike", "Henrike", "Malte", "Ole", "Till", "Merle", "Frauke", "Wiebke", "Uwe", "Dirk",
        "Marie", "Sophie", "Johanna", "Greta", "Carolin", "Nadine", "Tobias", "Sebastian", "Matthias", "Daniela",
    ),
    last_names=(
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
        "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Schmitz", "Krause", "Lehmann", "Köhler", "Herrmann",
        "König", "Walter", "Huber", "Kaiser", "Fuchs", "Peters", "Scholz", "Möller", "Weiß", "Jung", "Hahn",
        "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Berger", "Winkler", "Lorenz", "Baumann",
        "Albrecht", "Schuster", "Böhm", "Winter", "Schumacher", "Krämer", "Vogt", "Jäger", "Sommer", "Groß",
        "Seidel", "Brandt", "Haas", "Schreiber", "Dietrich", "Ziegler", "Kühn", "Engel", "Horn", "Busch",
        "Bergmann", "Voigt", "Pfeiffer", "Yılmaz", "Öztürk", "Kowalczyk", "Nguyen", "Popović",
    ),
    # The Bundesnetzagentur sets these ranges aside for films and books: nobody's line.
    cities=(
        City("Berlin", "Berlin", "Deutschland", "10117", "+49 30 23125 ###"),
        City("Hamburg", "Hamburg", "Deutschland", "20095", "+49 40 66969 ###"),
        City("München", "Bayern", "Deutschland", "80331", "+49 89 99998 ###"),
        City("Köln", "Nordrhein-Westfalen", "Deutschland", "50667", "+49 221 4710 ###"),
        City("Frankfurt am Main", "Hessen", "Deutschland", "60311", "+49 69 90009 ###"),
    ),
    streets=("Hauptstraße", "Bahnhofstraße", "Lindenallee", "Schillerstraße", "Goethestraße", "Industriestraße",
             "Hafenstraße", "Mühlenweg", "Gartenstraße", "Am Marktplatz", "Königsallee", "Friedrichstraße"),
    street_format="{street} {number}",
    office_mailbox="info",
    consulting="beratung",
    senior_titles=("Geschäftsführung", "Vorstand", "Kaufmännische Leitung", "Leitung Einkauf", "Leitung Logistik",
                   "Vertriebsleitung", "Prokura", "Bereichsleitung Betrieb", "IT-Leitung", "CTO"),
    titles=("Disposition", "Fuhrparkleitung", "Einkauf", "Teamleitung Disposition", "Controlling",
            "Logistikkoordination", "Lagerleitung", "Datenanalyse", "Entwicklungsleitung", "Produktmanagement",
            "Kundenservice", "Büroleitung", "Sachbearbeitung Einkauf", "Lösungsarchitektur", "Marketing"),
    technical=("IT-Leitung", "CTO", "Datenanalyse", "Entwicklungsleitung", "Lösungsarchitektur"),
    independent_titles=("Unternehmensberatung", "Interim-Management", "Logistikberatung"),
    lead_sources=("Website", "Website", "Empfehlung", "Messe", "Kaltakquise", "Partner"),
    twin_lead_source="Messe",
    products=(("Flottenplattform", 420), ("Routenanalyse", 300), ("Lager-Suite", 510),
              ("Fahrer-App", 180), ("Compliance-Paket", 240), ("Schnittstellen-Paket", 360)),
    deal_title="{org} – {product} ({seats} Lizenzen)",
    renewal_title="{org} – {product}, Verlängerung {year}",
    lost_reasons=("Wettbewerber gewählt (Globex)", "Budget bis zum nächsten Geschäftsjahr eingefroren",
                  "Keine Entscheidung – unser Fürsprecher hat das Unternehmen verlassen",
                  "Preis zu hoch für die Zahl der Lizenzen", "Zeitpunkt: nach ihrer Systemumstellung erneut ansprechen",
                  "Entwickeln selbst"),
    deal_labels=("Inbound", "Empfehlung", "Großkunde", "Upselling", "Mehrjährig", "Gefährdet", "Pilot"),
    next_steps=(
        ("call", "Nachfassen bei {first}"), ("call", "Preisfragen – {first} anrufen"),
        ("meeting", "Produktvorführung für das Team von {org}"), ("meeting", "Workshop vor Ort bei {org}"),
        ("email", "Angebot an {first} schicken"), ("email", "Fallstudie Logistik an {first} senden"),
        ("todo", "Angebot für {org} vorbereiten"), ("deadline", "Vertragsunterschrift fällig – {org}"),
    ),
    done_steps=(("call", "Erstgespräch mit {first}"), ("meeting", "Auftaktgespräch mit {org}"),
                ("email", "Vorstellungs-E-Mail an {first}"), ("todo", "Budget und Zeitplan klären")),
    follow_ups=("Bei {first} nach dem Webinar nachhaken", "{first} um eine Empfehlung bitten",
                "{first} zur neuen Position gratulieren", "{first} zum Kundentag einladen"),
    review_title="Rabattanfrage für {org} prüfen",
    review_note="{owner} bittet um ein zweites Paar Augen, bevor das Angebot rausgeht.",
    deal_notes=(
        ("Erstgespräch – {org}",
         "Vierzig Minuten mit {first} gesprochen. Sie fahren {size} Fahrzeuge von zwei Standorten aus und planen "
         "die Touren jeden Morgen in Excel; die Disposition beginnt um 5:30 Uhr, der Plan steht selten vor 7 Uhr.\n\n"
         "Schmerzpunkte: verspätete Zustellungen in der Nachmittagswelle, kein Live-Überblick, wo die Fahrer "
         "sind, und ein Kundenservice, der den ganzen Tag am Telefon „Wo bleibt meine Lieferung?“ beantwortet.\n\n"
         "Nächste Schritte: eine Vorführung mit ihrer Betriebsleitung, danach ein zweiwöchiger Pilot an einem "
         "Standort. {first} schickt uns die Lieferdaten des letzten Monats, damit wir ihre eigenen Touren zeigen."),
        ("Verhandlung – Stand der Dinge",
         "Der Einkauf hält den Preis pro Lizenz für zu hoch und wünscht drei Jahre Laufzeit zum Festpreis. "
         "Bei Unterschrift vor Quartalsende können wir 8 % für die Mehrjahreslaufzeit anbieten.\n\n"
         "Die Rechtsabteilung hat nur Anmerkungen zur Haftungsobergrenze und zum Datenstandort (Hosting in der "
         "EU, AVV nach DSGVO); beides ist bei uns Standard.\n\n"
         "Risiko: Der kaufmännische Geschäftsführer ist beim Abschlusstermin dabei und hat ein Angebot von Globex. "
         "{first} ist unser Fürsprecher und teilt vorab die interne Entscheidungsvorlage mit uns."),
        ("Warum wir {org} verloren haben",
         "{first} sagt, die Entscheidung fiel für ein günstigeres Werkzeug, das nur die Tourenplanung abdeckt. "
         "Analyse und Fahrer-App galten dieses Jahr als „nice to have“.\n\n"
         "Was wir anders machen: die Betriebsleitung früher einbinden und die Kosten verspäteter Lieferungen mit "
         "ihren eigenen Zahlen belegen, nicht mit Branchendurchschnitten.\n\n"
         "In Kontakt bleiben: Der Vertrag mit dem anderen Anbieter läuft ein Jahr. Wiedervorlage zur Verlängerung "
         "einplanen."),
    ),
    contact_notes=(
        ("{first} auf der LogiMAT getroffen",
         "{first} kam nach dem Vortrag zur Elektrifizierung von Flotten an unseren Stand. {org} wechselt im "
         "nächsten Jahr den Telematik-Anbieter und möchte ein System für Tourenplanung und Compliance.\n\n"
         "Persönlich: läuft Marathon, war für die Messe in Stuttgart, bevorzugt vormittags E-Mail statt Anruf.\n\n"
         "Vereinbart: Fallstudie und ein kurzes Video der Fahrer-App schicken."),
        ("Hintergrund zu {first}",
         "{first} ist im Frühjahr von einem Wettbewerber zu {org} gewechselt und baut das Betriebsteam neu auf. "
         "Budgetverantwortung für Software bis etwa 50.000 € im Jahr; darüber unterschreibt die Geschäftsführung.\n\n"
         "Gute Beziehung zu unserem Support aus dem vorigen Unternehmen, wo {first} uns drei Jahre genutzt hat."),
    ),
    organisation_note=(
        "Kundenplan {year}",
        "{org} ist einer unserer Referenzkunden: Verlängerung später in diesem Jahr, Ausbau im Lagerteam "
        "möglich.\n\n"
        "Ziele: Verlängerung zum gleichen Preis, das Analyse-Modul dazu, und ein Zitat für die "
        "Referenzseite.\n\n"
        "Beziehungen: {first} (Fürsprecher) und die Finanzleitung, die wir noch nicht kennen. Quartalsgespräch "
        "für nächsten Monat planen.",
    ),
    approval="{helper}: Mehrjahresrabatt bis 10 % freigegeben. Bitte nicht tiefer gehen, ohne mit mir zu sprechen.",
    work_items=(
        ("Empfehlungsvereinbarung unterschreiben", "Provision 15 % des ersten Jahreswerts; Recht hat zugestimmt.",
         0, -12, 2),
        ("Zugang zum Partnerportal für Hellweg", "Fünf Berater-Zugänge, Preise nur lesend.", 1, -5, 2),
        ("Hellweg-Berater in der Fahrer-App schulen", "Zwei Termine, mit Aufzeichnung.", "guest", 3, 1),
        ("Gemeinsame Fallstudie entwerfen", "Kunde: eine mittelgroße Spedition, die sie letztes Jahr eingeführt "
         "haben.", "guest", 9, 1),
        ("Preisliste für die Partnerstufe", "Rabattstaffeln nach Jahresvolumen.", 1, -1, 1),
        ("Gemeinsames Webinar: klügere Tourenplanung", "Hellweg stellt vor, wir zeigen das Produkt. Ziel: 150 "
         "Anmeldungen.", 2, 21, 0),
        ("Landingpage für das Webinar", "", 3, 14, 0),
        ("Gemeinsamer Teams-Kanal", "", "guest", -20, 2),
        ("Gemeinsame Zielkundenliste", "Zwanzig Unternehmen, die wir beide kennen.", 0, 5, 0),
        ("Einführungs-Checkliste v1", "Was Hellweg in den ersten 30 Tagen einer Einführung erledigt.", "guest", 0, 1),
        ("Quartalsgespräch mit dem Partner", "", 0, 35, 0),
    ),
    guest_items=(("Logo und Kurzprofil von Hellweg für die Website", 4), ("Raum für die Schulung buchen", 2)),
)

LOCALES = {words.locale: words for words in (ENGLISH, GERMAN)}
