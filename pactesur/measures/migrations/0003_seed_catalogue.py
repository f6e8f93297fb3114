"""Seed the shared catalogue with what each type is, costs, permanence and urban integration.

Every cost, installation time and integration score here is an estimate of the platform (no
supplier's price, no city's invoice): `costs_estimated` stays True so that pages say so, and the
network's recorded costs (field experience) are shown beside them as cities share them. Effects
are shares of a scenario's probability or consequence the measure removes (docs/risk-method.md),
assumptions as well. Ratings are typical certificates of products of that kind (hostile-vehicles.md
§2–3); a city's own type carries the rating of the product it bought.
"""

from django.db import migrations

# integration scores: accessibility, multi-functionality, sustainability, proportionality, aesthetics.
CRITERIA = ("accessibility", "multifunctionality", "sustainability", "proportionality", "aesthetics")

# code: (kind, permanence, cost unit, cost min, cost max, maintenance/year, installation days,
#        rating, element width m, integration scores)
EXISTING = {
    "hvm_rated_permanent": ("fixed_bollard", "permanent", "metre", 3000, 9000, 150, 20, "", None, (4, 2, 3, 3, 3)),
    "hvm_rated_temporary": ("temporary_barrier", "temporary", "metre", 150, 600, 50, 1, "", None, (2, 1, 3, 4, 2)),
    "hvm_unrated": ("block", "semi_permanent", "element", 300, 2000, 20, 1, "", 1.0, (2, 2, 2, 2, 2)),
    "parking_ban": ("traffic_rule", "organisational", "space", 500, 3000, 500, 30, "", None, (4, 3, 4, 4, 4)),
    "access_control": ("access_control", "temporary", "entrance", 1500, 8000, 0, 1, "", None, (2, 1, 3, 2, 2)),
    "cctv": ("cctv", "permanent", "element", 4000, 15000, 800, 10, "", None, (5, 2, 3, 3, 3)),
    "lighting": ("lighting", "permanent", "element", 2500, 8000, 150, 10, "", None, (5, 4, 3, 5, 4)),
    "security_staff": ("stewarding", "temporary", "event", 2000, 15000, 0, 1, "", None, (5, 4, 5, 4, 5)),
    "trained_staff": ("training", "organisational", "person", 150, 600, 0, 2, "", None, (5, 4, 5, 5, 5)),
    "pa_communication": ("signage", "permanent", "space", 5000, 40000, 1000, 15, "", None, (5, 3, 4, 5, 3)),
    "evacuation_routes": ("procedure", "organisational", "space", 1000, 10000, 500, 10, "", None, (5, 3, 5, 5, 4)),
    "sweep": ("procedure", "temporary", "event", 500, 3000, 0, 1, "", None, (5, 3, 5, 4, 4)),
    "drone_detection": ("procedure", "temporary", "event", 5000, 40000, 0, 2, "", None, (5, 2, 3, 2, 4)),
    "vetting": ("procedure", "organisational", "year", 2000, 15000, 0, 10, "", None, (5, 3, 5, 5, 5)),
    "first_aid": ("procedure", "temporary", "event", 500, 4000, 200, 1, "", None, (5, 3, 4, 5, 4)),
    "police_patrols": ("stewarding", "organisational", "event", 2000, 20000, 0, 1, "", None, (4, 3, 4, 3, 4)),
}

# code: (family, kind, English name, description, permanence, cost unit, cost min, cost max,
#        maintenance/year, installation days, rating, element width m, integration, effects)
NEW = [
    ("bollard_fixed_rated", "vehicle", "fixed_bollard", "Fixed rated bollards",
     "Steel bollards on a deep or shallow foundation, tested as a line; clear gaps of at most 1.2 m let "
     "people, wheelchairs and prams through.",
     "permanent", "element", 2500, 9000, 50, 15, "V/7200[N2A]/64/90", 0.25, (4, 2, 4, 3, 3),
     {"vehicle": (0.8, 0.3), "vbied": (0.6, 0.3)}),
    ("bollard_removable_rated", "vehicle", "removable_bollard", "Removable rated bollards",
     "Rated bollards lifted out with a key: they close an emergency or delivery opening in a line and "
     "must be put back and checked after each use.",
     "permanent", "element", 3500, 12000, 150, 15, "V/7200[N2A]/48/90", 0.25, (4, 2, 4, 4, 3),
     {"vehicle": (0.7, 0.3), "vbied": (0.5, 0.3)}),
    ("bollard_retractable_rated", "vehicle", "retractable_bollard", "Retractable rated bollards",
     "Automatic rising bollards for an access lane: the emergency opening stays closed and opens on "
     "demand; they need power, maintenance and an operator procedure.",
     "permanent", "element", 20000, 60000, 2500, 40, "V/7200[N3C]/64/90", 0.3, (4, 2, 2, 3, 4),
     {"vehicle": (0.75, 0.3), "vbied": (0.55, 0.3)}),
    ("planter_rated", "vehicle", "planter", "Rated planters",
     "Large planters with a tested core or foundation: protection that greens the space.",
     "semi_permanent", "element", 4000, 15000, 400, 5, "V/7200[N2A]/48/90", 1.5, (4, 4, 5, 4, 5),
     {"vehicle": (0.7, 0.3), "vbied": (0.5, 0.2)}),
    ("furniture_rated", "vehicle", "street_furniture", "Rated street furniture (benches, bins, cycle racks)",
     "Benches, bins, cycle racks or lighting columns built and tested as vehicle barriers: the line "
     "serves every day and is hardly seen as security.",
     "permanent", "element", 6000, 20000, 200, 20, "V/7200[N2A]/48/90", 2.0, (4, 5, 4, 5, 5),
     {"vehicle": (0.7, 0.3), "vbied": (0.5, 0.2)}),
    ("blocks_concrete", "vehicle", "block", "Concrete blocks (unrated)",
     "Loose concrete blocks: untested, they slide or tip when hit and do not count as stopping a "
     "vehicle in the approach analysis; a first response, not a protection.",
     "temporary", "element", 150, 800, 0, 1, "", 2.0, (1, 1, 2, 2, 1),
     {"vehicle": (0.2, 0.1), "vbied": (0.1, 0.0)}),
    ("gate_rated", "vehicle", "gate", "Rated sliding or swing gate",
     "A rated gate closing a service or emergency access; staffed or remotely opened.",
     "permanent", "element", 25000, 90000, 1500, 30, "V/7200[N2A]/64/90", 4.0, (2, 1, 3, 3, 2),
     {"vehicle": (0.7, 0.3), "vbied": (0.5, 0.3)}),
    ("temporary_barrier_rated", "vehicle", "temporary_barrier", "Rated temporary barrier system",
     "Modular mobile barriers set up for an event (Liège replaced sandbags with such a system, claimed "
     "to stop a 7.5 t truck at 48 km/h); bought or hired, set up and removed by trained staff.",
     "temporary", "element", 1500, 5000, 100, 1, "V/7200[N2A]/48/90", 1.2, (3, 1, 4, 4, 2),
     {"vehicle": (0.6, 0.2), "vbied": (0.4, 0.2)}),
    ("chicane", "vehicle", "road_geometry", "Chicane",
     "Offset kerbs or islands that force a vehicle to slow down upstream of the space: the barrier "
     "line then needs a lower rating.",
     "permanent", "element", 15000, 60000, 500, 20, "", None, (3, 3, 4, 4, 3),
     {"vehicle": (0.2, 0.3), "vbied": (0.1, 0.1)}),
    ("road_narrowing", "vehicle", "road_geometry", "Road narrowing",
     "Footway build-outs that narrow the carriageway and lower the speed a vehicle keeps.",
     "permanent", "element", 10000, 50000, 300, 15, "", None, (5, 4, 4, 4, 4),
     {"vehicle": (0.15, 0.2)}),
    ("raised_table", "vehicle", "road_geometry", "Raised table",
     "A raised crossing or junction that slows vehicles and gives pedestrians a level way across.",
     "permanent", "element", 12000, 40000, 300, 10, "", None, (5, 3, 4, 5, 4),
     {"vehicle": (0.1, 0.2)}),
    ("street_closure", "vehicle", "traffic_rule", "Street closure order (anti-terrorism traffic order)",
     "A legal closure of a street to vehicles, permanent or for events; it needs a physical barrier "
     "to stop a hostile driver.",
     "organisational", "space", 500, 5000, 0, 30, "", None, (4, 4, 5, 3, 4),
     {"vehicle": (0.3, 0.1), "vbied": (0.3, 0.1)}),
    ("signage", "communication", "signage", "Signage and advice to the public",
     "Signs and messages telling visitors what to do and how to report something suspicious.",
     "permanent", "space", 500, 5000, 200, 5, "", None, (5, 3, 4, 5, 3),
     {"placed_ied": (0.1, 0.0), "recon": (0.05, 0.0), "firearms": (0.0, 0.1), "arson": (0.0, 0.1)}),
    ("training_operators", "staff", "training", "Training of local security operators",
     "Training programmes and tabletop exercises for municipal police, stewards and space managers.",
     "organisational", "person", 200, 800, 0, 3, "", None, (5, 4, 5, 5, 5),
     {"recon": (0.3, 0.0), "placed_ied": (0.2, 0.0), "firearms": (0.0, 0.2), "blade": (0.0, 0.1),
      "vehicle": (0.0, 0.1)}),
    ("procedures", "evacuation", "procedure", "Written procedures and exercises",
     "Response protocols for the space, known to every operator and exercised at least once a year.",
     "organisational", "space", 1000, 8000, 1000, 20, "", None, (5, 3, 5, 5, 5),
     {"firearms": (0.0, 0.2), "arson": (0.0, 0.2), "cbrn": (0.0, 0.2), "vehicle": (0.0, 0.1),
      "placed_ied": (0.0, 0.1), "pbied": (0.0, 0.1)}),
]

SOURCE = "PACTESUR estimate (no supplier or city figure yet): calibrate with the network's recorded costs."


def _integration(scores):
    return dict(zip(CRITERIA, scores, strict=True))


def seed(apps, schema_editor):
    MeasureType = apps.get_model("measures", "MeasureType")
    for code, (kind, permanence, unit, low, high, upkeep, days, rating, width, scores) in EXISTING.items():
        MeasureType.objects.filter(code=code, city__isnull=True).update(
            kind=kind,
            permanence=permanence,
            cost_unit=unit,
            cost_min_eur=low,
            cost_max_eur=high,
            maintenance_eur_per_year=upkeep,
            installation_days=days,
            rating=rating,
            element_width_m=width,
            integration=_integration(scores),
            costs_estimated=True,
            source=SOURCE,
        )
    start = (MeasureType.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    for offset, row in enumerate(NEW):
        code, family, kind, name, description, permanence, unit, low, high, upkeep, days, rating, width, scores, effects = row
        MeasureType.objects.update_or_create(
            code=code,
            defaults={
                "family": family,
                "kind": kind,
                "name": name,
                "description": description,
                "permanence": permanence,
                "cost_unit": unit,
                "cost_min_eur": low,
                "cost_max_eur": high,
                "maintenance_eur_per_year": upkeep,
                "installation_days": days,
                "rating": rating,
                "element_width_m": width,
                "integration": _integration(scores),
                "effects": {k: {"probability": p, "consequence": c} for k, (p, c) in effects.items()},
                "assumption": True,
                "costs_estimated": True,
                "source": SOURCE,
                "order": start + offset,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("measures", "MeasureType").objects.filter(code__in=[row[0] for row in NEW]).delete()


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_catalogue_fields")]
    operations = [migrations.RunPython(seed, unseed)]
