"""The import screen (issue 14, item 4): a file German Excel wrote is read (Windows-1252, semicolons),
its columns are mapped (German headers recognised; the user remaps one), the preview shows the
first rows as the records they become with each bad row's problem inline; the good rows go in
on request, duplicates are skipped, the mapping is remembered, and the last import is undone —
in English at 1440 px and in German on a 390 px phone."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew

EXCEL = (
    "Vorname;Nachname;E-Mail;Telefon;Firma;Position;Straße;PLZ;Ort;Kürzel\r\n"
    "Jürgen;Müller;juergen.mueller@baeckerei-schaefer.example;+49 89 1234567;Bäckerei Schäfer GmbH;"
    "Geschäftsführer;Hauptstraße 5;80331;München;JM\r\n"
    "Zoë;Weiß;zoe@weiss.example;;Bäckerei Schäfer GmbH;Einkäuferin;;50667;Köln;ZW\r\n"
    "Hans;Groß;hans@@gross.example;;Groß & Söhne KG;Inhaber;;;Hamburg;HG\r\n"
    "Ute;Schröder;ute@schroeder.example;0211 987654;Schröder Logistik;Disponentin;Königsallee 1;40212;Düsseldorf;US\r\n"
).encode("cp1252")


def upload(name: str, body: bytes) -> list[dict]:
    return [{"name": name, "mimeType": "text/csv", "buffer": body}]


async def test_a_german_excel_file_is_mapped_previewed_imported_and_undone(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}/import")
    page.on("dialog", lambda dialog: dialog.accept())
    await page.get_by_text("No imports yet").wait_for()
    await page.locator("input[type=file]").set_input_files(files=upload("kunden.csv", EXCEL))

    mapping = page.get_by_test_id("import-mapping")
    await mapping.get_by_text("Read as Windows-1252 (Excel), separated by semicolons: 4 rows.").wait_for()
    chosen = {header: await mapping.get_by_role("combobox", name=f"Goes to: {header}").input_value()
              for header in ("Vorname", "E-Mail", "Firma", "Straße", "PLZ", "Ort", "Kürzel")}
    assert chosen == {"Vorname": "first_name", "E-Mail": "emails", "Firma": "organisation", "Straße": "street",
                      "PLZ": "postcode", "Ort": "city", "Kürzel": ""}, "German headers are recognised"
    await mapping.get_by_role("combobox", name="Goes to: Position").select_option("labels")  # a remap re-previews
    preview = page.get_by_test_id("import-preview")
    await preview.locator("thead th", has_text="Labels").wait_for()
    await preview.locator("thead th", has_text="Job title").wait_for(state="detached")
    await mapping.get_by_role("combobox", name="Goes to: Position").select_option("job_title")
    await preview.locator("thead th", has_text="Job title").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await mapping.screenshot(path=str(SCREENSHOTS / "import-mapping.png"))

    await preview.get_by_text("3 new · 0 updated · 0 skipped · 1 with problems").wait_for()
    bad = preview.locator("tr.import-row--error")
    assert await bad.locator("td").first.inner_text() == "4"
    assert "E-mail: expected an e-mail address" in await preview.locator(".import-row__problems").inner_text()
    assert "München" in await preview.locator("tr.import-row--create").first.inner_text()
    await preview.get_by_text("Fix the problems below").wait_for()
    await page.get_by_label("Import the good rows and report the bad ones").check()
    button = preview.get_by_role("button", name="Import 3 rows")
    await button.wait_for()
    await preview.screenshot(path=str(SCREENSHOTS / "import-preview.png"))
    await button.click()

    report = page.get_by_test_id("import-report")
    await report.get_by_role("heading", name="Imported: 3 new, 0 updated, 0 skipped.").wait_for()
    assert "1 row with problems was left out." in await report.inner_text()
    listed = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/contacts")
    assert sorted(c["name"] for c in listed["items"]) == ["Jürgen Müller", "Ute Schröder", "Zoë Weiß"]

    # the same file again: the mapping is remembered (Kürzel ignored, as chosen), the people are duplicates
    await page.locator("input[type=file]").set_input_files(files=upload("kunden.csv", EXCEL))
    await mapping.get_by_text("Columns mapped as in your last import").wait_for()
    await preview.get_by_text("0 new · 0 updated · 3 skipped · 1 with problems").wait_for()
    assert "same e-mail juergen.mueller@baeckerei-schaefer.example" in await preview.inner_text()

    history = page.get_by_test_id("import-history")
    await history.get_by_role("button", name="Undo this import").click()
    await history.get_by_text("undone").wait_for()
    listed = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/contacts")
    assert listed["items"] == [], "the undo removed what the import created"


async def test_the_import_screen_speaks_german_and_fits_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}/import", width=390, height=844, locale="de-DE")
    await page.get_by_role("heading", name="Aus CSV importieren").wait_for()
    await page.get_by_label("Leads").check()
    await page.get_by_text("Jede Zeile wird ein Lead im Lead-Eingang").wait_for()
    await page.locator("input[type=file]").set_input_files(files=upload("messe.csv", EXCEL))
    mapping = page.get_by_test_id("import-mapping")
    await mapping.get_by_text("Gelesen als Windows-1252 (Excel), getrennt durch Semikolon: 4 Zeilen.").wait_for()
    assert await mapping.get_by_role("combobox", name="Wird zu: Ort").input_value() == "city"
    preview = page.get_by_test_id("import-preview")
    await preview.get_by_text("3 neu · 0 aktualisiert · 0 übersprungen · 1 mit Fehlern").wait_for()
    await page.get_by_label("Gültige Zeilen importieren, fehlerhafte melden").check()
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page does not scroll sideways on a phone ({width} px)"
    await mapping.screenshot(path=str(SCREENSHOTS / "import-mapping-de-phone.png"))
    await preview.get_by_role("button", name="3 Zeilen importieren").click()
    await page.get_by_test_id("import-report").get_by_role("heading", name="Importiert: 3 neu, 0 aktualisiert, 0 übersprungen.").wait_for()
    listed = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/leads")
    assert [lead["source"] for lead in listed["leads"]] == ["import"] * 3  # the leads inbox (docs/leads.md)
    assert (await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/contacts"))["items"] == []
