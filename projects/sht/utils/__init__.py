"""Utilities shared by the SHT tools (launching)."""
from .launch import prepare_cpu_distributed

__all__ = ['prepare_cpu_distributed']
