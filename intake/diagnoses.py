"""The diagnosis list families choose from, grouped the way they appear in the form.

Each entry: (code, plain label, group). The group drives the queue filter and the urgency suggestion.
"""

from django.db import models


class DiagnosisGroup(models.TextChoices):
    ACUTE_LEUKEMIA = "acute_leukemia", "Acute leukemia and lymphoblastic lymphoma"
    CHRONIC_LEUKEMIA = "chronic_leukemia", "Chronic leukemia"
    LYMPHOMA = "lymphoma", "Lymphoma"
    MYELOMA_MDS = "myeloma_mds", "Myeloma, MDS and related"
    BRAIN = "brain", "Brain and spinal cord tumours"
    SARCOMA = "sarcoma", "Sarcoma"
    SOLID = "solid", "Solid tumours"
    CHILDHOOD = "childhood", "Childhood solid tumours"
    OTHER = "other", "Other"


G = DiagnosisGroup

DIAGNOSES = [
    ("t_all", "T-cell acute lymphoblastic leukemia (T-ALL)", G.ACUTE_LEUKEMIA),
    ("t_lbl", "T-cell lymphoblastic lymphoma (T-LBL)", G.ACUTE_LEUKEMIA),
    ("b_all", "B-cell acute lymphoblastic leukemia (B-ALL)", G.ACUTE_LEUKEMIA),
    ("aml", "Acute myeloid leukemia (AML)", G.ACUTE_LEUKEMIA),
    ("apl", "Acute promyelocytic leukemia (APL)", G.ACUTE_LEUKEMIA),
    ("mpal", "Mixed-phenotype acute leukemia", G.ACUTE_LEUKEMIA),
    ("cll", "Chronic lymphocytic leukemia (CLL)", G.CHRONIC_LEUKEMIA),
    ("cml", "Chronic myeloid leukemia (CML)", G.CHRONIC_LEUKEMIA),
    ("hodgkin", "Hodgkin lymphoma", G.LYMPHOMA),
    ("dlbcl", "Diffuse large B-cell lymphoma (DLBCL)", G.LYMPHOMA),
    ("follicular", "Follicular lymphoma", G.LYMPHOMA),
    ("mantle_cell", "Mantle cell lymphoma", G.LYMPHOMA),
    ("burkitt", "Burkitt lymphoma", G.LYMPHOMA),
    ("t_cell_lymphoma", "Peripheral T-cell lymphoma", G.LYMPHOMA),
    ("nhl_other", "Other non-Hodgkin lymphoma", G.LYMPHOMA),
    ("myeloma", "Multiple myeloma", G.MYELOMA_MDS),
    ("mds", "Myelodysplastic syndrome (MDS)", G.MYELOMA_MDS),
    ("mpn", "Myeloproliferative neoplasm (MPN)", G.MYELOMA_MDS),
    ("amyloidosis", "AL amyloidosis", G.MYELOMA_MDS),
    ("glioblastoma", "Glioblastoma", G.BRAIN),
    ("glioma", "Other glioma (astrocytoma, oligodendroglioma)", G.BRAIN),
    ("dipg", "Diffuse midline glioma (DIPG)", G.BRAIN),
    ("medulloblastoma", "Medulloblastoma", G.BRAIN),
    ("brain_other", "Other brain or spinal cord tumour", G.BRAIN),
    ("osteosarcoma", "Osteosarcoma", G.SARCOMA),
    ("ewing", "Ewing sarcoma", G.SARCOMA),
    ("rhabdomyosarcoma", "Rhabdomyosarcoma", G.SARCOMA),
    ("soft_tissue_sarcoma", "Other soft tissue sarcoma", G.SARCOMA),
    ("neuroblastoma", "Neuroblastoma", G.CHILDHOOD),
    ("wilms", "Wilms tumour (kidney, in children)", G.CHILDHOOD),
    ("retinoblastoma", "Retinoblastoma", G.CHILDHOOD),
    ("breast", "Breast cancer", G.SOLID),
    ("lung_nsclc", "Non-small cell lung cancer", G.SOLID),
    ("lung_sclc", "Small cell lung cancer", G.SOLID),
    ("colorectal", "Colorectal (bowel) cancer", G.SOLID),
    ("pancreatic", "Pancreatic cancer", G.SOLID),
    ("prostate", "Prostate cancer", G.SOLID),
    ("ovarian", "Ovarian cancer", G.SOLID),
    ("uterine", "Uterine or endometrial cancer", G.SOLID),
    ("cervical", "Cervical cancer", G.SOLID),
    ("melanoma", "Melanoma", G.SOLID),
    ("kidney", "Kidney cancer", G.SOLID),
    ("liver", "Liver cancer", G.SOLID),
    ("bile_duct", "Bile duct cancer (cholangiocarcinoma)", G.SOLID),
    ("stomach", "Stomach or esophageal cancer", G.SOLID),
    ("head_neck", "Head and neck cancer", G.SOLID),
    ("bladder", "Bladder cancer", G.SOLID),
    ("thyroid", "Thyroid cancer", G.SOLID),
    ("mesothelioma", "Mesothelioma", G.SOLID),
    ("neuroendocrine", "Neuroendocrine tumour", G.SOLID),
    ("other", "Something else (please tell us)", G.OTHER),
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
        groups.setdefault(group.label, []).append((code, label))
    return list(groups.items())


def codes_in_group(group: str) -> list[str]:
    return [code for code, _, g in DIAGNOSES if g == group]
