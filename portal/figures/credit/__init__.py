"""Entrusted credit: the figures the social policy bank reports per savings group."""
