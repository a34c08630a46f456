"""A family's data from first answer to deletion: resuming a draft on another device, consent by
purpose, and duplicate cases. (Retention, the last stage, is staff work: assessments/retention.py.)"""
