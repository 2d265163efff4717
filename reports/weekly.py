"""The weekly summary email to coordinators."""
