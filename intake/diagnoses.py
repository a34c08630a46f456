"""The diagnosis list families choose from, grouped the way they appear in the form.

Each entry: (code, plain label, group). The group drives the queue filter and the urgency suggestion.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DiagnosisGroup(models.TextChoices):
    ACUTE_LEUKEMIA = "acute_leukemia", _("Acute leukemia and lymphoblastic lymphoma")
    CHRONIC_LEUKEMIA = "chronic_leukemia", _("Chronic leukemia")
    LYMPHOMA = "lymphoma", _("Lymphoma")
    MYELOMA_MDS = "myeloma_mds", _("Myeloma, MDS and related")
    BRAIN = "brain", _("Brain and spinal cord tumours")
    SARCOMA = "sarcoma", _("Sarcoma")
    SOLID = "solid", _("Solid tumours")
    CHILDHOOD = "childhood", _("Childhood solid tumours")
    OTHER = "other", _("Other")


G = DiagnosisGroup

DIAGNOSES = [
    ("t_all", _("T-cell acute lymphoblastic leukemia (T-ALL)"), G.ACUTE_LEUKEMIA),
    ("t_lbl", _("T-cell lymphoblastic lymphoma (T-LBL)"), G.ACUTE_LEUKEMIA),
    ("b_all", _("B-cell acute lymphoblastic leukemia (B-ALL)"), G.ACUTE_LEUKEMIA),
    ("aml", _("Acute myeloid leukemia (AML)"), G.ACUTE_LEUKEMIA),
    ("apl", _("Acute promyelocytic leukemia (APL)"), G.ACUTE_LEUKEMIA),
    ("mpal", _("Mixed-phenotype acute leukemia"), G.ACUTE_LEUKEMIA),
    ("cll", _("Chronic lymphocytic leukemia (CLL)"), G.CHRONIC_LEUKEMIA),
    ("cml", _("Chronic myeloid leukemia (CML)"), G.CHRONIC_LEUKEMIA),
    ("hodgkin", _("Hodgkin lymphoma"), G.LYMPHOMA),
    ("dlbcl", _("Diffuse large B-cell lymphoma (DLBCL)"), G.LYMPHOMA),
    ("follicular", _("Follicular lymphoma"), G.LYMPHOMA),
    ("mantle_cell", _("Mantle cell lymphoma"), G.LYMPHOMA),
    ("burkitt", _("Burkitt lymphoma"), G.LYMPHOMA),
    ("t_cell_lymphoma", _("Peripheral T-cell lymphoma"), G.LYMPHOMA),
    ("nhl_other", _("Other non-Hodgkin lymphoma"), G.LYMPHOMA),
    ("myeloma", _("Multiple myeloma"), G.MYELOMA_MDS),
    ("mds", _("Myelodysplastic syndrome (MDS)"), G.MYELOMA_MDS),
    ("mpn", _("Myeloproliferative neoplasm (MPN)"), G.MYELOMA_MDS),
    ("amyloidosis", _("AL amyloidosis"), G.MYELOMA_MDS),
    ("glioblastoma", _("Glioblastoma"), G.BRAIN),
    ("glioma", _("Other glioma (astrocytoma, oligodendroglioma)"), G.BRAIN),
    ("dipg", _("Diffuse midline glioma (DIPG)"), G.BRAIN),
    ("medulloblastoma", _("Medulloblastoma"), G.BRAIN),
    ("brain_other", _("Other brain or spinal cord tumour"), G.BRAIN),
    ("osteosarcoma", _("Osteosarcoma"), G.SARCOMA),
    ("ewing", _("Ewing sarcoma"), G.SARCOMA),
    ("rhabdomyosarcoma", _("Rhabdomyosarcoma"), G.SARCOMA),
    ("soft_tissue_sarcoma", _("Other soft tissue sarcoma"), G.SARCOMA),
    ("neuroblastoma", _("Neuroblastoma"), G.CHILDHOOD),
    ("wilms", _("Wilms tumour (kidney, in children)"), G.CHILDHOOD),
    ("retinoblastoma", _("Retinoblastoma"), G.CHILDHOOD),
    ("breast", _("Breast cancer"), G.SOLID),
    ("lung_nsclc", _("Non-small cell lung cancer"), G.SOLID),
    ("lung_sclc", _("Small cell lung cancer"), G.SOLID),
    ("colorectal", _("Colorectal (bowel) cancer"), G.SOLID),
    ("pancreatic", _("Pancreatic cancer"), G.SOLID),
    ("prostate", _("Prostate cancer"), G.SOLID),
    ("ovarian", _("Ovarian cancer"), G.SOLID),
    ("uterine", _("Uterine or endometrial cancer"), G.SOLID),
    ("cervical", _("Cervical cancer"), G.SOLID),
    ("melanoma", _("Melanoma"), G.SOLID),
    ("kidney", _("Kidney cancer"), G.SOLID),
    ("liver", _("Liver cancer"), G.SOLID),
    ("bile_duct", _("Bile duct cancer (cholangiocarcinoma)"), G.SOLID),
    ("stomach", _("Stomach or esophageal cancer"), G.SOLID),
    ("head_neck", _("Head and neck cancer"), G.SOLID),
    ("bladder", _("Bladder cancer"), G.SOLID),
    ("thyroid", _("Thyroid cancer"), G.SOLID),
    ("mesothelioma", _("Mesothelioma"), G.SOLID),
    ("neuroendocrine", _("Neuroendocrine tumour"), G.SOLID),
    ("other", _("Something else (please tell us)"), G.OTHER),
]

LABELS = {code: label for code, label, _ in DIAGNOSES}
GROUP_OF = {code: group for code, _, group in DIAGNOSES}

# Diagnoses that usually move fast, so a case about one is looked at sooner.
AGGRESSIVE = {
    "t_all",
    "t_lbl",
    "b_all",
    "aml",
    "apl",
    "mpal",
    "burkitt",
    "dlbcl",
    "mantle_cell",
    "t_cell_lymphoma",
    "glioblastoma",
    "dipg",
    "lung_sclc",
    "pancreatic",
    "mesothelioma",
    "bile_duct",
}


def grouped_choices() -> list:
    """Choices for a <select> with one <optgroup> per group, in the order above."""
    groups: dict[str, list] = {}
    for code, label, group in DIAGNOSES:
        groups.setdefault(group, []).append((code, label))
    return [(group.label, choices) for group, choices in groups.items()]


def codes_in_group(group: str) -> list[str]:
    return [code for code, _, g in DIAGNOSES if g == group]
