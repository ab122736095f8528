from django.template import Context, Template

from alliance.core.markup import markdown_to_text, render_markdown


def test_markdown_renders_structure():
    html = render_markdown("## We demand\n\n- fair **taxes**\n- public services")
    assert "<h2>We demand</h2>" in html
    assert "<li>fair <strong>taxes</strong></li>" in html


def test_scripts_and_event_handlers_are_removed():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)">ok')
    assert "<script" not in html
    assert "onerror" not in html
    assert "alert(1)" not in html
    assert "ok" in html


def test_javascript_links_are_dropped_and_others_get_rel():
    html = render_markdown("[bad](javascript:alert(1)) [good](https://example.org)")
    assert "javascript:" not in html
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_template_filter():
    rendered = Template("{% load markup %}{{ text|markdown }}").render(
        Context({"text": "*Power from below*"})
    )
    assert rendered == "<p><em>Power from below</em></p>"


def test_markdown_to_text_reads_as_a_person_would():
    text = markdown_to_text(
        "## Planning\n\n**Day 1**: opening, with [the agenda](https://example.org/a)"
        " & l'austérité.\n\n- tax *justice*\n- land\n    1. one\n    2. two\n\n"
        "<script>alert(1)</script>Write to <hub@example.org>."
    )

    assert text == (
        "Planning\n\n"
        "Day 1: opening, with the agenda (https://example.org/a) & l'austérité.\n\n"
        "- tax justice\n- land\n  1. one\n  2. two\n\n"
        "Write to hub@example.org."
    )


def test_markdown_to_text_of_nothing_is_nothing():
    assert markdown_to_text("") == ""
