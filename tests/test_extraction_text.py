"""The text-dump cleaner on the shapes of real page chrome: one behaviour per test, small made-up dumps."""

from __future__ import annotations

from indexer.clean.lines import is_prose, words
from indexer.clean.text import clean_text, is_caption

P1 = ("The delegation met in the capital on Tuesday to discuss a new trade agreement between the two "
      "countries, officials said, adding that talks would continue next month.")
P2 = ("Negotiators on both sides described the meeting as constructive, although several questions about "
      "tariffs on steel and farm products remain open for now.")
P3 = ("A final text is expected before the summer, when the two governments hope to sign the agreement "
      "at a ceremony in the other capital.")
P4 = ("Opposition lawmakers said they would examine the details closely once the text is published, and "
      "business groups welcomed the progress made so far.")


def dump(*lines: str) -> str:
    return "\n".join(lines)


def body(text: str) -> list[str]:
    return list(clean_text(text).paragraphs)


def test_menu_above_the_article_is_not_body():
    menu = ["Home", "World", "Politics", "Business", "Sport", "Culture", "Opinion", "Video"]
    assert body(dump(*menu, "Trade talks resume in the capital", "By Jane Roe", P1, P2, P3)) == [P1, P2, P3]


def test_promotion_above_the_article_is_dropped_not_the_end_of_it():
    text = dump("Sign up for our newsletter and get the best stories every morning.", "Trade talks resume",
                "By Jane Roe", P1, P2, P3)
    assert body(text) == [P1, P2, P3]


def test_promotion_after_the_article_ends_it():
    text = dump("Trade talks resume", P1, P2, P3, "Thanks for reading! Subscribe to get more stories like this.",
                "Some other article text that is long enough to be a paragraph of its own, really it is.")
    assert body(text) == [P1, P2, P3]


def test_comment_section_is_never_article():
    comments = ["12 Comments", "jsmith says:", "This is a long comment about the agreement that is surely prose "
                "and longer than the article itself, which is a problem for naive extractors.",
                "anna_b says:", "Another long comment, which also reads like a paragraph of running text and "
                "would be taken as the article by a cleaner that looks only at the amount of text."]
    assert body(dump("Trade talks resume", "By Jane Roe", P1, P2, *comments * 3)) == [P1, P2]


def test_comment_form_ends_the_article():
    text = dump("Trade talks resume", P1, P2, P3, "Leave a Reply",
                "Your email address will not be published. Required fields are marked *",
                "Save my name, email, and website in this browser for the next time I comment.")
    assert body(text) == [P1, P2, P3]


def test_related_box_inside_the_article_does_not_end_it():
    text = dump("Trade talks resume", P1, P2, "Related", "Steel tariffs to rise next year, ministry says",
                "Farmers protest outside parliament over import quotas", P3, P4)
    assert body(text) == [P1, P2, P3, P4]


def test_story_teasers_after_the_article_are_not_body():
    teasers = []
    for n in range(3):
        teasers += [f"Another story headline about something else entirely number {n}", "By Someone Else",
                    "A one-sentence summary of that other story, which a reader could click."]
    assert body(dump("Trade talks resume", P1, P2, P3, P4, *teasers)) == [P1, P2, P3, P4]


def test_list_inside_the_article_is_kept_and_a_single_related_headline_dropped():
    items = ["June 9 – West Palm Beach, FL @ Coral Sky Amphitheatre", "June 10 – Tampa, FL @ MidFlorida Amphitheatre",
             "June 14 – Alpharetta, GA @ Ameris Bank Amphitheatre"]
    text = dump("Band announces tour", P1, "Steel tariffs to rise next year, ministry says", P2, *items, P3)
    assert body(text) == [P1, P2, *items, P3]


def test_cookie_notice_and_affiliate_disclosure_are_chrome():
    text = dump("We use cookies and other tracking technologies to improve your browsing experience on our site.",
                "When you purchase through links on our site, we may earn an affiliate commission. Learn more",
                "Trade talks resume", P1, P2)
    assert body(text) == [P1, P2]


def test_caption_shapes_are_captions():
    assert is_caption("President Yoon (left) shakes hands with Prime Minister Kishida at the summit. Photo: AP")
    assert is_caption("Karma Automotive Andreas Thurner, left, and Todd George, right, at the show on Tuesday")
    assert is_caption("1of4Grass Valley's Dionicio Torres looks at the gas cans on the shelves")
    assert is_caption("Yersinia pestis, the bacteria that cause plague ( STEVE GSCHMEISSNER/SCIENCE PHOTO LIBRARY)")
    assert not is_caption(P1)


def test_caption_repeated_on_the_next_line_is_kept_out_entirely():
    caption = "Officials shake hands after signing the memorandum in the capital on Tuesday afternoon"
    assert body(dump("Trade talks resume", P1, caption, caption, P2)) == [P1, P2]


def test_japanese_sentences_are_prose_and_menus_are_not():
    sentence = "先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されたというニュースを耳にしました。"
    assert is_prose(sentence)
    assert not is_prose("商標登録の基礎知識")
    assert len(words("商標登録")) == 2


def test_tag_cloud_is_not_prose():
    tags = " ".join(["agua", "alerta", "ambiente", "amizade", "atendimento", "biblioteca", "caminhada", "campanha"] * 3)
    assert not is_prose(tags)


def test_truncated_teaser_is_not_prose():
    assert not is_prose("Seoul and Moscow agree to resume the talks on trade and energy next..")
    assert not is_prose("주인공 자리까지 꿰찬 나영석 PD의 새 예능 프로그램이 시청자의 관심을…")


def test_headline_chosen_over_menu_lines_and_standfirst_kept():
    text = dump("DOW JONES, A NEWS CORP COMPANY", "Markets", "World News", "Israel Elections Gaza News BDS Health Tech",
                "Trade talks resume as both sides seek a deal", "A final text is expected before the summer",
                "By Jane Roe", "Nov. 19, 2019 5:30 am ET", P1, P2)
    doc = clean_text(text)
    assert doc.title == "Trade talks resume as both sides seek a deal"
    assert doc.subtitle == "A final text is expected before the summer"


def test_article_under_its_byline_beats_a_longer_footer_paragraph():
    footer = ("The Customer Service Center can be contacted with any questions or requests: telephone, fax or "
              "e-mail, on weekdays between nine and five, and on Sundays between ten and two, except holidays, "
              "when the center is closed and messages are answered on the next working day by our staff.")
    text = dump("Menu", "Home", "Trade talks resume", "By Jane Roe", "NOVEMBER 20, 2019 10:43", P1,
                *[f"Other headline number {n} with several words" for n in range(12)], footer)
    assert body(text) == [P1]


def test_author_bio_after_the_text_is_footer():
    text = dump("Trade talks resume", "By Jane Roe", P1, P2, P3,
                "Jane Roe is a trade reporter covering Asia for the newspaper since 2015.")
    doc = clean_text(text)
    assert list(doc.paragraphs) == [P1, P2, P3]
    assert any(line.startswith("Jane Roe is a trade reporter") for line in doc.footer)


def test_dump_without_running_text_keeps_its_lines_as_body():
    doc = clean_text("Meeting notes\nCall the embassy\nBook flights for March")
    assert doc.title == "Meeting notes"
    assert list(doc.paragraphs) == ["Call the embassy", "Book flights for March"]


def test_short_closing_sentence_is_kept_and_a_sign_off_is_not():
    text = dump("Trade talks resume", "By Jane Roe", P1, P2, "The talks resume on Monday.", "Jane Roe jane@example.com")
    assert body(text) == [P1, P2, "The talks resume on Monday."]
