"""Support agreements: a grant, a loan or in-kind support for a project, proposed and approved by two organisers."""
