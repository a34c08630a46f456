"""The curated synonym table: how studies name each diagnosis families choose from.

Each diagnosis code of intake.diagnoses has the names studies use for it (written forms, with and
without hyphens, British spellings and abbreviations). A T-cell lymphoblastic lymphoma is treated as
the same disease as T-ALL, as the studies themselves do. Each diagnosis group also has broader names,
used only when the reviewer widens the search to the whole group.

Phrases are matched as written, word for word (PostgreSQL's 'simple' configuration), because the
stemming configuration drops short words such as the "T" of "T-ALL".
"""

import re
from functools import lru_cache

from intake import diagnoses

G = diagnoses.DiagnosisGroup

T_CELL_ALL = [
    "T-cell acute lymphoblastic leukemia",
    "T-cell acute lymphoblastic leukaemia",
    "T-cell acute lymphocytic leukemia",
    "T acute lymphoblastic leukemia",
    "T-acute lymphoblastic leukemia",
    "T-lineage acute lymphoblastic leukemia",
    "T-cell ALL",
    "T-ALL",
    "T lymphoblastic leukemia",
    "T-lymphoblastic leukemia",
    "T-cell lymphoblastic leukemia",
    "precursor T-cell lymphoblastic leukemia",
    "precursor T lymphoblastic leukemia",
    "T-lymphoblastic lymphoma",
    "T lymphoblastic lymphoma",
    "T-cell lymphoblastic lymphoma",
    "precursor T-cell lymphoblastic lymphoma",
    "T-LBL",
    "T-ALL/LBL",
]

SPECIFIC: dict[str, list[str]] = {
    "t_all": T_CELL_ALL,
    "t_lbl": T_CELL_ALL,
    "b_all": [
        "B-cell acute lymphoblastic leukemia",
        "B-cell acute lymphoblastic leukaemia",
        "B acute lymphoblastic leukemia",
        "B-lineage acute lymphoblastic leukemia",
        "B-precursor acute lymphoblastic leukemia",
        "precursor B-cell lymphoblastic leukemia",
        "B-cell ALL",
        "B-ALL",
        "B lymphoblastic leukemia",
        "B-lymphoblastic leukemia",
        "B-lymphoblastic lymphoma",
        "Philadelphia chromosome-positive acute lymphoblastic leukemia",
    ],
    "aml": ["acute myeloid leukemia", "acute myeloid leukaemia", "acute myelogenous leukemia", "AML"],
    "apl": ["acute promyelocytic leukemia", "acute promyelocytic leukaemia", "APL"],
    "mpal": [
        "mixed phenotype acute leukemia",
        "mixed-phenotype acute leukemia",
        "acute leukemia of ambiguous lineage",
        "MPAL",
    ],
    "cll": [
        "chronic lymphocytic leukemia",
        "chronic lymphocytic leukaemia",
        "CLL",
        "small lymphocytic lymphoma",
    ],
    "cml": ["chronic myeloid leukemia", "chronic myelogenous leukemia", "chronic myeloid leukaemia", "CML"],
    "hodgkin": ["Hodgkin lymphoma", "Hodgkin's lymphoma", "Hodgkin disease", "Hodgkin's disease"],
    "dlbcl": ["diffuse large B-cell lymphoma", "diffuse large B cell lymphoma", "DLBCL"],
    "follicular": ["follicular lymphoma"],
    "mantle_cell": ["mantle cell lymphoma", "mantle-cell lymphoma", "MCL"],
    "burkitt": ["Burkitt lymphoma", "Burkitt's lymphoma", "Burkitt leukemia"],
    "t_cell_lymphoma": [
        "peripheral T-cell lymphoma",
        "PTCL",
        "T-cell lymphoma",
        "T-cell non-Hodgkin lymphoma",
    ],
    "nhl_other": ["non-Hodgkin lymphoma", "non-Hodgkin's lymphoma", "NHL"],
    "myeloma": ["multiple myeloma", "plasma cell myeloma", "myeloma"],
    "mds": ["myelodysplastic syndrome", "myelodysplastic syndromes", "myelodysplasia", "MDS"],
    "mpn": [
        "myeloproliferative neoplasm",
        "myeloproliferative neoplasms",
        "myelofibrosis",
        "polycythemia vera",
        "essential thrombocythemia",
    ],
    "amyloidosis": ["AL amyloidosis", "light chain amyloidosis", "light-chain amyloidosis"],
    "glioblastoma": ["glioblastoma", "glioblastoma multiforme", "GBM", "grade 4 astrocytoma"],
    "glioma": ["glioma", "astrocytoma", "oligodendroglioma", "low-grade glioma", "high-grade glioma"],
    "dipg": [
        "diffuse midline glioma",
        "diffuse intrinsic pontine glioma",
        "DIPG",
        "H3 K27M-mutant glioma",
        "H3 K27-altered",
    ],
    "medulloblastoma": ["medulloblastoma"],
    "brain_other": ["brain tumor", "brain tumour", "CNS tumor", "central nervous system tumor", "ependymoma"],
    "osteosarcoma": ["osteosarcoma", "osteogenic sarcoma"],
    "ewing": ["Ewing sarcoma", "Ewing's sarcoma", "Ewing family of tumors"],
    "rhabdomyosarcoma": ["rhabdomyosarcoma"],
    "soft_tissue_sarcoma": [
        "soft tissue sarcoma",
        "soft-tissue sarcoma",
        "synovial sarcoma",
        "leiomyosarcoma",
    ],
    "neuroblastoma": ["neuroblastoma"],
    "wilms": ["Wilms tumor", "Wilms tumour", "Wilms' tumor", "nephroblastoma"],
    "retinoblastoma": ["retinoblastoma"],
    "breast": ["breast cancer", "breast carcinoma", "breast neoplasms", "triple-negative breast cancer"],
    "lung_nsclc": [
        "non-small cell lung cancer",
        "non-small-cell lung cancer",
        "non-small cell lung carcinoma",
        "carcinoma, non-small-cell lung",
        "NSCLC",
    ],
    "lung_sclc": ["small cell lung cancer", "small cell lung carcinoma", "small-cell lung cancer", "SCLC"],
    "colorectal": [
        "colorectal cancer",
        "colorectal carcinoma",
        "colon cancer",
        "rectal cancer",
        "bowel cancer",
    ],
    "pancreatic": ["pancreatic cancer", "pancreatic adenocarcinoma", "pancreatic ductal adenocarcinoma"],
    "prostate": ["prostate cancer", "prostate adenocarcinoma", "prostatic neoplasms"],
    "ovarian": ["ovarian cancer", "ovarian carcinoma", "fallopian tube cancer", "primary peritoneal cancer"],
    "uterine": ["endometrial cancer", "uterine cancer", "endometrial carcinoma", "uterine sarcoma"],
    "cervical": ["cervical cancer", "cervical carcinoma", "uterine cervical neoplasms"],
    "melanoma": ["melanoma", "uveal melanoma"],
    "kidney": ["renal cell carcinoma", "kidney cancer", "renal cancer", "RCC"],
    "liver": ["hepatocellular carcinoma", "liver cancer", "HCC", "hepatoblastoma"],
    "bile_duct": ["cholangiocarcinoma", "bile duct cancer", "biliary tract cancer", "gallbladder cancer"],
    "stomach": [
        "gastric cancer",
        "stomach cancer",
        "gastroesophageal cancer",
        "gastroesophageal junction cancer",
        "esophageal cancer",
        "oesophageal cancer",
    ],
    "head_neck": [
        "head and neck cancer",
        "head and neck squamous cell carcinoma",
        "HNSCC",
        "oropharyngeal cancer",
        "nasopharyngeal carcinoma",
    ],
    "bladder": ["bladder cancer", "urothelial carcinoma", "urothelial cancer"],
    "thyroid": ["thyroid cancer", "thyroid carcinoma", "anaplastic thyroid cancer"],
    "mesothelioma": ["mesothelioma", "pleural mesothelioma"],
    "neuroendocrine": [
        "neuroendocrine tumor",
        "neuroendocrine tumour",
        "neuroendocrine neoplasms",
        "carcinoid",
    ],
    "other": [],
}

# Broader names for a whole diagnosis group, for when the reviewer widens the search.
GROUP: dict[str, list[str]] = {
    G.ACUTE_LEUKEMIA: [
        "acute lymphoblastic leukemia",
        "acute lymphoblastic leukaemia",
        "acute lymphocytic leukemia",
        "lymphoblastic lymphoma",
        "acute leukemia",
        "acute leukaemia",
        "leukemia",
    ],
    G.CHRONIC_LEUKEMIA: ["chronic leukemia", "leukemia"],
    G.LYMPHOMA: ["lymphoma", "non-Hodgkin lymphoma", "B-cell lymphoma"],
    G.MYELOMA_MDS: ["plasma cell", "myeloid neoplasm", "bone marrow failure"],
    G.BRAIN: ["brain tumor", "brain tumour", "glioma", "CNS tumor", "central nervous system"],
    G.SARCOMA: ["sarcoma", "bone tumor"],
    G.SOLID: ["solid tumor", "solid tumour", "advanced cancer", "metastatic cancer", "carcinoma"],
    G.CHILDHOOD: ["pediatric solid tumor", "childhood cancer", "pediatric cancer", "embryonal tumor"],
    G.OTHER: [],
}

# Words in a study's title, conditions or keywords that say whom it is for.
RELAPSED_WORDS = ["relapsed", "relapse", "refractory", "recurrent", "salvage", "second relapse"]
NEWLY_DIAGNOSED_WORDS = ["newly diagnosed", "frontline", "front-line", "first-line", "untreated", "de novo"]

# Prior treatments a family names, and how studies for people who had them say so.
AFTER_TREATMENT: dict[str, list[str]] = {
    "car_t": [
        "post-CAR-T",
        "post CAR-T",
        "post CAR T",
        "after CAR-T",
        "after CAR T",
        "after CAR T-cell",
        "following CAR-T",
        "following CAR T-cell",
        "prior CAR-T",
        "CAR-T failure",
        "after chimeric antigen receptor",
        "relapse after CAR",
    ],
    "transplant": [
        "post-transplant",
        "post transplant",
        "after transplant",
        "after allogeneic",
        "after stem cell transplant",
        "after HSCT",
        "post-HSCT",
        "relapse after transplantation",
    ],
    "immunotherapy": [
        "after blinatumomab",
        "post-blinatumomab",
        "after checkpoint inhibitor",
        "immunotherapy-refractory",
    ],
}
TREATMENT_NAMES = {
    "car_t": "CAR-T",
    "transplant": "a stem cell transplant",
    "immunotherapy": "immunotherapy",
}


@lru_cache(maxsize=100_000)
def normalise(text: str) -> str:
    """Lower case, punctuation as spaces: "T-ALL" and "T ALL" read the same."""
    return " ".join(re.sub(r"[^0-9a-z/]+", " ", text.casefold()).split())


def contains(text: str, phrase: str) -> bool:
    return f" {normalise(phrase)} " in f" {normalise(text)} "


def first_match(texts: list[str], phrases: list[str]) -> tuple[str, str] | None:
    """The first (text, phrase) where one of the phrases appears in one of the texts."""
    wanted = [(phrase, f" {normalise(phrase)} ") for phrase in phrases]
    for text in texts:
        haystack = f" {normalise(text)} "
        for phrase, needle in wanted:
            if needle in haystack:
                return text, phrase
    return None


def for_diagnosis(code: str) -> list[str]:
    return SPECIFIC.get(code, [])


def for_group(group: str) -> list[str]:
    return GROUP.get(group, [])


def diagnosis_named_in(text: str) -> str | None:
    """The diagnosis code whose names appear in free text ("T-lymphoblastic lymphoma" → "t_all")."""
    best: tuple[int, str] | None = None
    for code, phrases in SPECIFIC.items():
        for phrase in phrases:
            if contains(text, phrase) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), code)
    return best[1] if best else None


def expand(text: str) -> list[str]:
    """Free text and, when it names a diagnosis, every synonym of that diagnosis."""
    code = diagnosis_named_in(text)
    return [text, *for_diagnosis(code)] if code else [text]
