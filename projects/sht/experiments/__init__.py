"""Runs of the demo and of its seed ablation: the SHT recipe's phases as
separate mmengine runs, the equal-budget control without FPTN, the SHN / FHS
baselines, and their evaluation (``tools/misc/run_demo.py``,
``tools/analysis/ablation.py``)."""
from .equal_budget import (ARMS, ExperimentPlan, evaluate_arms,
                           paired_rows, plan_from_args, train_arms)
from .runs import load_run_config, phase_ends, train_run

__all__ = [
    'ARMS', 'ExperimentPlan', 'evaluate_arms', 'paired_rows',
    'plan_from_args', 'train_arms',
    'load_run_config', 'phase_ends', 'train_run'
]
