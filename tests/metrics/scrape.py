"""Reading /metrics as Prometheus does: the text format, parsed by prometheus_client's parser."""
from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families


class Scraped:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = {(s.name, frozenset(s.labels.items())): s.value
                        for family in text_string_to_metric_families(text) for s in family.samples}

    def value(self, name: str, **labels) -> float:
        """The sample with exactly these labels; 0 if there is none (a counter not counted yet)."""
        return self.samples.get((name, frozenset((k, str(v)) for k, v in labels.items())), 0.0)

    def total(self, name: str, **labels) -> float:
        """The sum over every sample of ``name`` whose labels include these."""
        wanted = {(k, str(v)) for k, v in labels.items()}
        return sum(value for (sample, have), value in self.samples.items() if sample == name and wanted <= have)

    def by(self, name: str, label: str) -> dict[str, float]:
        return {dict(have)[label]: value for (sample, have), value in self.samples.items()
                if sample == name and label in dict(have)}


def scrape(base_url: str, *, path: str = "/metrics", **kwargs) -> Scraped:
    response = requests.get(base_url + path, timeout=30, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return Scraped(response.text)
