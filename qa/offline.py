"""Environment defaults that keep the libraries underneath from reaching the network.

Imported first by the package, before chromadb, gradio or huggingface are; a user can still
override each variable in the environment.
"""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}

for _name, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)
