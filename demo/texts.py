"""Words for the demo community: names, bios, brand pages and post templates.

Everything here is plain data plus small pure functions taking a :class:`random.Random`, so a
seed gives the same community every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = [
    "Ada", "Amara", "Aiko", "Alejandro", "Amir", "Ana", "Anders", "Anika", "Arjun", "Astrid",
    "Beatriz", "Ben", "Bianca", "Camille", "Carlos", "Chen", "Chiara", "Chloe", "Dan", "Daria",
    "David", "Diego", "Elif", "Elena", "Emeka", "Emma", "Ethan", "Fatima", "Felix", "Freya",
    "Gabriel", "Grace", "Hana", "Hannah", "Hugo", "Ines", "Isaac", "Ivy", "Jamal", "Jana",
    "Javier", "Jin", "Jonas", "Julia", "Kai", "Kavya", "Kenji", "Kofi", "Lara", "Leila",
    "Leo", "Liam", "Lina", "Lucas", "Luisa", "Maya", "Malik", "Marco", "Mariam", "Mateo",
    "Mei", "Mia", "Mohammed", "Nadia", "Naomi", "Nia", "Nikolai", "Noah", "Nora", "Olivia",
    "Omar", "Oscar", "Priya", "Rafael", "Rahul", "Rosa", "Ruth", "Sam", "Sara", "Sebastian",
    "Sofia", "Soren", "Tariq", "Tess", "Theo", "Tomas", "Valentina", "Vera", "Wei", "Yara",
    "Yusuf", "Zara", "Zoe", "Ingrid", "Pablo", "Keiko", "Aaliyah", "Mateus", "Lucia", "Rhys",
]  # fmt: skip

LAST_NAMES = [
    "Abebe", "Andersen", "Baker", "Bauer", "Bianchi", "Brooks", "Castillo", "Chen", "Costa",
    "Dubois", "Eriksson", "Fischer", "Fernandes", "Garcia", "Greene", "Haddad", "Hansen",
    "Hughes", "Ibrahim", "Ito", "Jansen", "Kapoor", "Kim", "Kowalski", "Larsen", "Lee",
    "Lindqvist", "Lopez", "Martin", "Mensah", "Moreau", "Murphy", "Nakamura", "Novak",
    "Nguyen", "Okafor", "Olsen", "Park", "Patel", "Pereira", "Petrov", "Quinn", "Rahman",
    "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Sokolova", "Tanaka", "Torres",
    "Van Dijk", "Vasquez", "Wagner", "Walsh", "Weber", "Wright", "Yilmaz", "Zhang",
]  # fmt: skip

LOCATIONS = [
    "Lisbon, Portugal", "Berlin, Germany", "Amsterdam, NL", "London, UK", "Dublin, Ireland",
    "Paris, France", "Barcelona, Spain", "Copenhagen", "Stockholm", "Oslo", "Helsinki",
    "Toronto, Canada", "Montréal", "Vancouver, BC", "New York, NY", "Brooklyn, NY",
    "Austin, TX", "Seattle, WA", "Portland, OR", "San Francisco", "Chicago, IL", "Denver, CO",
    "Mexico City", "São Paulo", "Buenos Aires", "Nairobi, Kenya", "Lagos, Nigeria",
    "Cape Town", "Tokyo, Japan", "Seoul", "Singapore", "Bangalore, India", "Melbourne",
    "Auckland, NZ", "Remote", "Somewhere with good coffee",
]  # fmt: skip

# Topic -> (interests/hashtags, job titles).
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "marketing": (
        ["marketing", "contentmarketing", "seo", "branding", "socialmedia", "growth"],
        ["Content strategist", "Brand marketer", "Growth lead", "Social media manager",
         "Copywriter", "Head of marketing"],
    ),
    "data": (
        ["dataengineering", "python", "sql", "analytics", "dbt", "opensource"],
        ["Data engineer", "Analytics engineer", "Data scientist", "Platform engineer",
         "ML engineer", "Staff engineer"],
    ),
    "coffee": (
        ["coffee", "specialtycoffee", "espresso", "latteart", "homebrew"],
        ["Barista", "Coffee roaster", "Café owner", "Green coffee buyer", "Q grader"],
    ),
    "books": (
        ["books", "reading", "amreading", "booktok", "fiction", "poetry"],
        ["Bookseller", "Editor", "Novelist", "Librarian", "Literary agent", "Book reviewer"],
    ),
    "product": (
        ["productmanagement", "launch", "ux", "design", "startups", "buildinpublic"],
        ["Product manager", "Product designer", "Founder", "UX researcher", "CTO"],
    ),
    "hiring": (
        ["hiring", "careers", "remotework", "jobs", "leadership"],
        ["Recruiter", "People partner", "Engineering manager", "Talent lead", "Coach"],
    ),
    "events": (
        ["events", "meetup", "conference", "community", "speaking"],
        ["Community manager", "Event producer", "Developer advocate", "Organizer"],
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Org:
    username: str
    name: str
    topic: str
    bio: str
    website: str
    location: str


ORGS = [
    Org("northbean", "North Bean Roasters", "coffee",
        "Small-batch roasters since 2014. Direct trade, light roasts, zero nonsense. ☕",
        "https://northbean.example", "Portland, OR"),
    Org("pipelinely", "Pipelinely", "data",
        "Data pipelines that don't page you at 3 a.m. Open-source core, managed cloud.",
        "https://pipelinely.example", "Berlin, Germany"),
    Org("inkwellbooks", "Inkwell Books", "books",
        "Independent bookshop. Staff picks, author nights and the best-smelling shelves in town.",
        "https://inkwell-books.example", "Dublin, Ireland"),
    Org("brightlane", "Brightlane Studio", "marketing",
        "A brand and content studio for companies that would rather be remembered than seen.",
        "https://brightlane.example", "London, UK"),
    Org("launchpadhq", "Launchpad", "product",
        "The product launch checklist, as a tool. Ship it, tell people, measure what happened.",
        "https://launchpad.example", "Remote"),
    Org("meetupmakers", "Meetup Makers", "events",
        "We run friendly tech meetups in 12 cities. Come for the talks, stay for the people.",
        "https://meetupmakers.example", "Amsterdam, NL"),
    Org("talentbridge", "TalentBridge", "hiring",
        "Hiring for humans: fair processes, clear salaries, fast feedback.",
        "https://talentbridge.example", "Toronto, Canada"),
    Org("querycraft", "QueryCraft", "data",
        "SQL notebooks for analysts who'd like their Fridays back.",
        "https://querycraft.example", "Lisbon, Portugal"),
    Org("morningpress", "Morning Press Café", "coffee",
        "Neighbourhood café & bakery. Oat flat whites, sourdough, and a very good dog.",
        "https://morningpress.example", "Melbourne"),
    Org("pageturnerpub", "Page Turner Publishing", "books",
        "Independent publisher of debut fiction and essays. Submissions open each spring.",
        "https://pageturner.example", "New York, NY"),
    Org("signalgrowth", "Signal Growth", "marketing",
        "Marketing analytics for small teams: what worked, what didn't, what to do next.",
        "https://signalgrowth.example", "Austin, TX"),
    Org("devconfeu", "DevConf Europe", "events",
        "Three days of talks, workshops and hallway track. Tickets and CFP on our site.",
        "https://devconf.example", "Barcelona, Spain"),
]  # fmt: skip

BIO_OPENERS = [
    "{title} at {company}.",
    "{title}. Previously {prev_title} at {prev_company}.",
    "{title} who writes about {topic_word}.",
    "{title} · {location_short}",
    "Professional {title_lower}, amateur {hobby}.",
]
BIO_CLOSERS = [
    "Views my own.",
    "Probably thinking about {hobby}.",
    "Talks about {tag1} and {tag2}.",
    "Always up for a coffee chat.",
    "Writing a newsletter nobody asked for.",
    "She/her.",
    "He/him.",
    "They/them.",
    "",
]
HOBBIES = [
    "bouldering", "sourdough", "cycling", "film photography", "running", "chess", "gardening",
    "synths", "board games", "pottery", "birdwatching", "swimming", "crosswords", "hiking",
]  # fmt: skip
COMPANIES = [
    "Acme Analytics", "Fjord Labs", "Orbit Health", "Paperplane", "Greenhouse Co", "Tandem",
    "Lumen Data", "Kettle & Co", "Bluebird Media", "Northstar", "Copperleaf", "Quill",
]  # fmt: skip

# Post templates per topic. {tag} is a hashtag of the topic, {mention} an account of the same
# community, {n}/{pct}/{day}/{city}/{thing} small fills.
POST_TEMPLATES: dict[str, list[str]] = {
    "marketing": [
        "We cut our newsletter in half and open rates went up {pct}%. Less really is more. #{tag}",
        "Hot take: your brand voice guide is too long. If it doesn't fit on one page nobody reads it. #{tag} #branding",
        "Spent the morning rewriting landing page copy with @{mention}. Clearer headline, one CTA, {pct}% more sign-ups in the first test. #{tag}",
        "Three things that worked for us this quarter:\n\n1. Fewer channels, done well\n2. Customer stories over feature lists\n3. Posting when our audience is awake\n\n#{tag}",
        "Reminder that 'engagement' is not a goal. Conversations, sign-ups and renewals are. #{tag} #growth",
        "Our {day} campaign recap: {n} replies, {pct}% click-through, and one very nice email from a customer. #{tag}",
        "If you're doing #{tag} for a small business, start with the people who already love you.",
    ],
    "data": [
        "Moved our nightly batch to incremental models and the run went from {n} minutes to 9. #{tag} #dbt",
        "Unpopular opinion: most 'real-time' dashboards are looked at once a week. #{tag}",
        "Debugging a pipeline at 4pm on a {day}: the bug was a timezone. It is always a timezone. #{tag}",
        "Great thread from @{mention} on data contracts. We adopted the same approach and broke prod {pct}% less. #{tag}",
        "Wrote up how we test SQL transformations with small fixtures instead of prod snapshots. Link in bio. #{tag} #sql",
        "Today I learned you can use window functions to dedupe {n}M rows in one pass. #{tag} #sql",
        "Open-sourced our little schema-diff tool. Feedback welcome! #{tag} #opensource",
    ],
    "coffee": [
        "New single origin on the bar: washed Ethiopian, notes of bergamot and peach. #{tag}",
        "Dialed in a {n}g dose at 1:2.2 this morning and it tastes like apricot jam. #{tag} #espresso",
        "Hot water first, then grounds, then patience. Pour-over is a meditation. #{tag}",
        "Shout-out to @{mention} for the latte art class — my tulips no longer look like potatoes. #{tag} #latteart",
        "Reminder: store your beans in an airtight container, away from light, and please not in the fridge. #{tag}",
        "We roasted {n} kg this week and every batch smelled like Christmas. #{tag} #specialtycoffee",
    ],
    "books": [
        "Finished '{thing}' last night and I'm still thinking about the ending. #{tag}",
        "Our staff pick this week is a quiet novel about a lighthouse keeper. Absolutely wrecked me. #{tag} #amreading",
        "Reading goal update: {n} books this year. Mostly essays, some sci-fi, one cookbook. #{tag}",
        "@{mention} recommended me a short story collection and now I need everything by this author. #{tag}",
        "Hot take: it's fine to stop reading a book you're not enjoying. #{tag} #reading",
        "Author night on {day}! Signed copies, wine, and a Q&A. #{tag} #events",
    ],
    "product": [
        "We shipped! After {n} weeks of work, the new onboarding is live. #{tag} #buildinpublic",
        "Product lesson of the week: the feature request is rarely the actual problem. Ask why five times. #{tag}",
        "Ran {n} user interviews this month. The biggest surprise: people loved the feature we almost cut. #{tag} #ux",
        "Launch checklist: changelog, help article, email, in-app note, social post, thank the team. #{tag}",
        "Huge thanks to @{mention} for the design crit — the new dashboard is so much calmer. #{tag} #design",
        "Roadmaps are promises about problems, not dates. #{tag} #productmanagement",
    ],
    "hiring": [
        "We're hiring a {thing} (remote, EU time zones). Salary range in the post, no 6-round interviews. #{tag}",
        "If your job post doesn't include a salary range, you're losing the best candidates. #{tag}",
        "Interviewed {n} people this week. Most impressive thing a candidate did: asked great questions. #{tag} #careers",
        "Know someone great? @{mention}'s team is growing — DM them. #{tag}",
        "Feedback within 48 hours after every interview. It's not hard, it's just respectful. #{tag} #leadership",
    ],
    "events": [
        "Tickets for our {day} meetup are live! Talks on {thing}, pizza, and good people. #{tag} #meetup",
        "Just gave my first conference talk. Hands shaking, {n} people in the room, zero regrets. #{tag} #speaking",
        "CFP closes Friday! First-time speakers very welcome — @{mention} and I are happy to review drafts. #{tag}",
        "Community tip: start every meetup with five minutes for people to introduce themselves. #{tag} #community",
        "Slides from today's talk are up. Thanks to everyone who came! #{tag} #conference",
    ],
}

REPLY_TEMPLATES = [
    "This is so true.",
    "Love this, thanks for sharing!",
    "We had the exact same experience last quarter.",
    "Could you share more about how you measured that?",
    "Saving this for later.",
    "Hard agree. @{mention} you'll like this one.",
    "Interesting! What would you do differently next time?",
    "Congrats to the whole team!",
    "Ha, I felt this in my bones.",
    "Counterpoint: it depends on the audience.",
    "Following — curious where this goes.",
    "Thanks, this helped me today.",
]
QUOTE_TEMPLATES = [
    "Worth reading. #{tag}",
    "This is the thread I needed this week.",
    "Yes! And it applies to #{tag} too.",
    "Bookmarking this one. Great points from @{author}.",
    "Sharing with my team.",
]
THINGS = [
    "The Overstory", "Piranesi", "Klara and the Sun", "data contracts", "Senior Data Engineer",
    "Product Designer", "incremental models", "The Left Hand of Darkness", "brand storytelling",
    "Community Manager", "Station Eleven", "observability", "A Little Life", "growth loops",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
DOC_TITLES: dict[str, list[str]] = {
    "marketing": ["The 2026 Content Playbook", "Brand Voice Workbook"],
    "data": ["Data Contracts: A Field Guide", "The Modern Pipeline White Paper"],
    "coffee": ["Home Brewing eBook", "Origin Report: Ethiopia"],
    "books": ["Spring Catalogue", "Reading Guide: Debut Fiction"],
    "product": ["Launch Checklist eBook", "Product Discovery White Paper"],
    "hiring": ["Fair Hiring Handbook", "Salary Transparency Report"],
    "events": ["Meetup Organizer's Guide", "Conference Sponsorship Deck"],
}


def person_bio(rng: random.Random, topic: str, location: str) -> tuple[str, str]:
    """A short bio and a job title for a person interested in ``topic``."""
    tags, titles = TOPICS[topic]
    title = rng.choice(titles)
    fill = {
        "title": title,
        "title_lower": title.lower(),
        "company": rng.choice(COMPANIES),
        "prev_title": rng.choice(titles).lower(),
        "prev_company": rng.choice(COMPANIES),
        "topic_word": tags[0],
        "location_short": location.split(",")[0],
        "hobby": rng.choice(HOBBIES),
        "tag1": "#" + rng.choice(tags),
        "tag2": "#" + rng.choice(tags),
    }
    bio = " ".join(
        part.format(**fill)
        for part in (rng.choice(BIO_OPENERS), rng.choice(BIO_CLOSERS))
        if part.format(**fill)
    )
    return bio, title


def post_text(rng: random.Random, topic: str, mention: str | None) -> str:
    """A post about ``topic``; templates needing a mention are skipped when there is none."""
    tags = TOPICS[topic][0]
    templates = POST_TEMPLATES[topic]
    if mention is None:
        templates = [t for t in templates if "{mention}" not in t] or templates
    template = rng.choice(templates)
    return template.format(
        tag=rng.choice(tags),
        mention=mention or "",
        n=rng.randint(3, 60),
        pct=rng.randint(5, 48),
        day=rng.choice(DAYS),
        thing=rng.choice(THINGS),
    )


def reply_text(rng: random.Random, mention: str | None) -> str:
    templates = REPLY_TEMPLATES if mention else [t for t in REPLY_TEMPLATES if "@" not in t]
    return rng.choice(templates).format(mention=mention or "")


def quote_text(rng: random.Random, topic: str, author: str) -> str:
    return rng.choice(QUOTE_TEMPLATES).format(tag=rng.choice(TOPICS[topic][0]), author=author)
