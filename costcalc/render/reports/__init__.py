"""Report formats of `costcalc check`: a `format(result) -> str` object per format; none prints.

- text: for people (rich tables, no colour codes in the string);
- json: versioned (`"version": 1`), exact decimal strings;
- markdown: a pull-request comment or $GITHUB_STEP_SUMMARY, capped in size,
  with a summary-only mode;
- github: workflow commands (`::error file=…,line=…::`) on the YAML line;
- sarif: SARIF 2.1.0 with stable rule ids, for code scanning;
- junit: JUnit XML, one test case per decision;
- gitlab: GitLab code-quality JSON.

This module is light (the CLI imports it at start-up for the choices); the
formatters live in `costcalc.render.reports.formats`, imported on use.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from typing_extensions import assert_never

if TYPE_CHECKING:
    from costcalc.render.reports.formats import Formatter

MARKDOWN_LIMIT = 60_000
"""Default cap of the Markdown report in bytes (a GitHub comment holds 65,536 characters)."""


class ReportFormat(str, Enum):
    """Output formats of `costcalc check`."""

    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    gitlab = "gitlab"


def formatter_for(
    fmt: ReportFormat,
    *,
    max_bytes: int = MARKDOWN_LIMIT,
    summary_only: bool = False,
    width: int = 100,
) -> Formatter:
    """The formatter of a format choice (every choice has one)."""
    from costcalc.render.reports import formats as f

    if fmt is ReportFormat.text:
        return f.TextFormat(width)
    elif fmt is ReportFormat.json:
        return f.JsonFormat()
    elif fmt is ReportFormat.markdown:
        return f.MarkdownFormat(max_bytes, summary_only)
    elif fmt is ReportFormat.github:
        return f.GithubFormat()
    elif fmt is ReportFormat.sarif:
        return f.SarifFormat()
    elif fmt is ReportFormat.junit:
        return f.JunitFormat()
    elif fmt is ReportFormat.gitlab:
        return f.GitlabFormat()
    else:
        assert_never(fmt)
