import os
import sys

import pytest
import torch

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from training.mrcmv.synthetic import write_synthetic_dataset  # noqa: E402  (after the path insert)

# Two CPU cores on the project machines; more threads only add contention.
torch.set_num_threads(min(2, os.cpu_count() or 1))


@pytest.fixture(scope="session")
def synthetic_dataset(tmp_path_factory):
    return write_synthetic_dataset(str(tmp_path_factory.mktemp("dataset")))
