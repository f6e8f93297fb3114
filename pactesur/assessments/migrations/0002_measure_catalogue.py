"""Seed the measure catalogue: families of risk-assessment.md §7 with an effect per attack type.

Every effect is an assumption of the platform (documented in docs/risk-method.md): the share of a
scenario's probability or consequence rating that the measure removes when it is in place.
"""

from django.db import migrations

# code, family, English name, {attack type: (probability effect, consequence effect)}
CATALOGUE = [
    ("hvm_rated_permanent", "vehicle", "Rated vehicle security barriers, permanent",
     {"vehicle": (0.7, 0.3), "vbied": (0.5, 0.3)}),
    ("hvm_rated_temporary", "vehicle", "Rated vehicle security barriers, temporary",
     {"vehicle": (0.6, 0.2), "vbied": (0.4, 0.2)}),
    ("hvm_unrated", "vehicle", "Unrated obstacles (planters, benches, blocks)",
     {"vehicle": (0.2, 0.1), "vbied": (0.1, 0.0)}),
    ("parking_ban", "vehicle", "Parking ban and vehicle removal around the space",
     {"vbied": (0.5, 0.2), "vehicle": (0.1, 0.0)}),
    ("access_control", "access", "Access control and bag search at entrances",
     {"firearms": (0.3, 0.0), "blade": (0.4, 0.0), "placed_ied": (0.4, 0.0), "pbied": (0.3, 0.2),
      "arson": (0.2, 0.0), "cbrn": (0.2, 0.0), "insider": (0.1, 0.0)}),
    ("cctv", "surveillance", "CCTV with live monitoring",
     {"recon": (0.3, 0.0), "placed_ied": (0.2, 0.0), "insider": (0.1, 0.0), "firearms": (0.0, 0.1),
      "blade": (0.0, 0.1), "arson": (0.1, 0.1)}),
    ("lighting", "surveillance", "Good lighting",
     {"recon": (0.1, 0.0), "placed_ied": (0.1, 0.0), "blade": (0.1, 0.0), "arson": (0.1, 0.0)}),
    ("security_staff", "staff", "Stewarding and security staff",
     {"firearms": (0.1, 0.2), "blade": (0.2, 0.2), "placed_ied": (0.2, 0.0), "pbied": (0.1, 0.0),
      "recon": (0.3, 0.0), "arson": (0.1, 0.1), "insider": (0.1, 0.0)}),
    ("trained_staff", "staff", "Staff trained in attack awareness (ACT / SCaN)",
     {"recon": (0.4, 0.0), "placed_ied": (0.2, 0.0), "pbied": (0.1, 0.0), "firearms": (0.0, 0.2),
      "blade": (0.0, 0.1), "insider": (0.2, 0.0), "cbrn": (0.0, 0.1), "arson": (0.0, 0.1)}),
    ("pa_communication", "communication", "Public address and mass communication",
     {"firearms": (0.0, 0.2), "blade": (0.0, 0.1), "placed_ied": (0.0, 0.2), "pbied": (0.0, 0.1),
      "arson": (0.0, 0.2), "cbrn": (0.0, 0.2), "drone": (0.0, 0.1), "vehicle": (0.0, 0.1), "vbied": (0.0, 0.1)}),
    ("evacuation_routes", "evacuation", "Evacuation routes and rescue corridors kept clear",
     {"arson": (0.0, 0.3), "cbrn": (0.0, 0.2), "firearms": (0.0, 0.2), "placed_ied": (0.0, 0.1),
      "vbied": (0.0, 0.1), "vehicle": (0.0, 0.1)}),
    ("sweep", "access", "Pre-opening sweep and removal of concealing furniture",
     {"placed_ied": (0.4, 0.0), "vbied": (0.1, 0.0)}),
    ("drone_detection", "surveillance", "Drone detection and response procedure", {"drone": (0.4, 0.2)}),
    ("vetting", "staff", "Staff and contractor vetting, key and badge control",
     {"insider": (0.4, 0.0), "recon": (0.1, 0.0)}),
    ("first_aid", "evacuation", "First-aid posts and trauma kits",
     {"vehicle": (0.0, 0.2), "firearms": (0.0, 0.2), "blade": (0.0, 0.2), "placed_ied": (0.0, 0.15),
      "pbied": (0.0, 0.15), "vbied": (0.0, 0.15), "arson": (0.0, 0.2), "cbrn": (0.0, 0.1)}),
    ("police_patrols", "staff", "Visible police patrols and armed response nearby",
     {"firearms": (0.2, 0.3), "blade": (0.2, 0.3), "recon": (0.2, 0.0), "vehicle": (0.0, 0.1)}),
]


def seed(apps, schema_editor):
    MeasureType = apps.get_model("assessments", "MeasureType")
    for order, (code, family, name, effects) in enumerate(CATALOGUE):
        MeasureType.objects.update_or_create(
            code=code,
            defaults={
                "family": family,
                "name": name,
                "order": order,
                "assumption": True,
                "effects": {k: {"probability": p, "consequence": c} for k, (p, c) in effects.items()},
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("assessments", "MeasureType").objects.filter(code__in=[c[0] for c in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
