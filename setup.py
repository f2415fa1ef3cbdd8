"""Install the SHT plugin for mmpose (package directory: ``projects/sht``)."""
from setuptools import find_packages, setup

setup(
    name='sht',
    version='0.1.0',
    description='SHT: Supervision-by-Hallucination-and-Transfer for '
    'low-resolution facial landmark detection, as an mmpose plugin',
    python_requires='>=3.8',
    package_dir={'': 'projects'},
    packages=find_packages('projects'),
    license='Apache-2.0',
)
