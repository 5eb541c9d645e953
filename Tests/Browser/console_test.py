"""The support console in a real browser (issues 7 and 13): headless Chromium, driven by Selenium, signs in with
the demo support user (after a refused attempt), lists the last 7 days with an empty search, searches for a
purchase, opens its page, resends its result, and checks what each page shows: amounts in major units with their
currency, no program's placeholder anywhere, hints dated from today, every page usable at a phone's width.
A screenshot of every page goes to SCREENSHOTS. Run by scripts/browser-test against a live `transact serve`."""
import datetime
import os
import re
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CONSOLE_BASE"]  # e.g. http://127.0.0.1:18765
REFERENCE = os.environ["CONSOLE_RAAS_TXN_REF"]  # a successful electricity purchase
CLIENT_TXN_REF = os.environ["CONSOLE_CLIENT_TXN_REF"]
SCREENSHOTS = os.environ["SCREENSHOTS"]

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def wait_for(driver, text):
    """Waits (up to 10 s) until the page holds `text`: a click's navigation may still be under way."""
    try:
        WebDriverWait(driver, 10).until(lambda d: text in d.page_source)
    except Exception:
        pass


def wait_for_url(driver, fragment):
    """Waits (up to 10 s) until the browser is at a URL holding `fragment`: the page a click asked for has loaded,
    rather than the one it was clicked on, which may hold the same elements."""
    try:
        WebDriverWait(driver, 10).until(lambda d: fragment in d.current_url)
    except Exception:
        pass


PLACEHOLDERS = re.compile(r"\b(nil|null|None|undefined|NaN)\b|Optional\(|<null>")


def shot(driver, name):
    """A screenshot, and the check every page gets: nothing a program uses for a missing value is shown."""
    driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))
    shown = PLACEHOLDERS.search(driver.find_element(By.TAG_NAME, "body").text)
    check(shown is None, "%s shows no placeholder%s" % (name, "" if shown is None else " (found %r)" % shown.group(0)))


def fits_phone(driver, name):
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 400, "%s fits a phone's width (%s px)" % (name, width))


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
try:
    driver.get(BASE + "/console")
    check(driver.current_url.endswith("/console/sign-in"), "an unsigned visitor is sent to the sign-in page")
    shot(driver, "1-sign-in")
    check(not driver.find_elements(By.CSS_SELECTOR, ".problem"), "the sign-in page has no problem box before an attempt")
    driver.find_element(By.NAME, "clientId").send_keys("9001")
    driver.find_element(By.NAME, "clientSecret").send_keys("not-the-secret")
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, "wrong secret")
    problems = driver.find_elements(By.CSS_SELECTOR, ".problem")
    check(len(problems) == 1 and problems[0].text == "Unknown client id or wrong secret.",
          "a failed sign-in says why (%r)" % [p.text for p in problems])
    shot(driver, "1b-sign-in-refused")
    driver.find_element(By.NAME, "clientId").send_keys("9001")
    driver.find_element(By.NAME, "clientSecret").send_keys("support-secret-change-me")
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, "purchases in 24 hours")
    check(driver.current_url.endswith("/console"), "signing in leads to the dashboard")
    body = driver.find_element(By.TAG_NAME, "body").text
    check("purchases in 24 hours" in body and "Sign out (9001)" in body, "the dashboard shows its figures and who is signed in")
    purchases = driver.find_element(By.ID, "purchases-24h").text
    check(purchases.isdigit() and int(purchases) >= 1, "the dashboard counts the purchases (%s)" % purchases)
    cookie = driver.get_cookie("transact_console")
    check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict",
          "the session cookie is HttpOnly and SameSite=Strict")
    shot(driver, "2-dashboard")

    driver.find_element(By.LINK_TEXT, "Search").click()
    wait_for(driver, 'id="results"')
    check("The last 7 days, newest first" in driver.find_element(By.TAG_NAME, "body").text,
          "the search page says what an empty search lists")
    rows = driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    check(any(REFERENCE in row.get_attribute("textContent") for row in rows),
          "with every field empty, the search lists the purchase of today")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    week_ago = today - datetime.timedelta(days=7)
    hints = (driver.find_element(By.NAME, "from").get_attribute("placeholder"),
             driver.find_element(By.NAME, "to").get_attribute("placeholder"))
    check(hints == (week_ago.isoformat() + "T00:00:00Z", today.isoformat() + "T23:59:59Z"),
          "the From and To hints are dated from today (%s, %s)" % hints)
    shot(driver, "3a-search-default")
    driver.find_element(By.ID, "search").click()
    wait_for_url(driver, "raasTxnRef=&")
    wait_for(driver, 'id="results"')
    check(any(REFERENCE in row.get_attribute("textContent")
              for row in driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")),
          "submitting the empty form lists the same")
    driver.find_element(By.NAME, "clientTxnRef").send_keys(CLIENT_TXN_REF)
    driver.find_element(By.ID, "search").click()
    wait_for_url(driver, "clientTxnRef=" + CLIENT_TXN_REF)
    wait_for(driver, 'id="results"')
    rows = driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    row = rows[0].get_attribute("textContent") if rows else ""
    check(len(rows) == 1 and REFERENCE in row and "SUCCESS" in row,
          "the search finds the purchase by its clientTxnRef")
    check("ZAR 100.00" in row, "the list shows the amount in major units with its currency (%r)" % row)
    shot(driver, "3-search")

    driver.find_element(By.LINK_TEXT, REFERENCE).click()
    wait_for(driver, 'id="timeline"')
    timeline = driver.find_element(By.ID, "timeline").text
    for step in ("reserving", "bank reserveFunds", "vendor vend", "ledger post", "result acknowledged"):
        check(step in timeline, "the timeline shows '%s'" % step)
    check(CLIENT_TXN_REF in driver.page_source, "the transaction page shows its clientTxnRef")
    facts = dict(zip([e.text for e in driver.find_elements(By.CSS_SELECTOR, ".facts dt")],
                     [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".facts dd")]))
    check((facts.get("Purchase amount"), facts.get("Fee"), facts.get("Reserved")) == ("ZAR 100.00", "ZAR 2.00", "ZAR 102.00"),
          "the story shows its amounts in major units with the currency (%s)" % facts)
    check(re.search(r"revenue:ZAR ZAR -?[0-9,]+\.[0-9]{2}", timeline) is not None, "the ledger postings show major units")
    shot(driver, "4-transaction")

    driver.find_element(By.ID, "resend").click()
    wait_for(driver, "One more delivery")
    check("One more delivery of the result is queued." in driver.find_element(By.TAG_NAME, "body").text,
          "resend queues one more delivery and says so")
    shot(driver, "5-resent")

    driver.find_element(By.LINK_TEXT, "Exceptions").click()
    wait_for(driver, 'id="exceptions"')
    check("Exceptions" in driver.title, "the exceptions page opens")
    shot(driver, "6-exceptions")
    driver.find_element(By.LINK_TEXT, "Settlement").click()
    wait_for(driver, "Day (UTC)")
    driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait_for(driver, 'id="totals"')
    check(REFERENCE in driver.page_source and "Download CSV" in driver.page_source,
          "the settlement report lists the purchase and offers the download")
    totals = driver.find_element(By.ID, "totals").text
    check("ZAR 100.00" in totals and "ZAR 2.00" in totals, "the settlement totals are in major units (%r)" % totals)
    settlement_url = driver.current_url
    shot(driver, "7-settlement")
    download = driver.find_element(By.ID, "download-csv").get_attribute("href")
    # The page's own Content-Security-Policy forbids scripts to fetch, so the file is fetched with the session's cookie.
    request = urllib.request.Request(download, headers={"Cookie": "transact_console=" + driver.get_cookie("transact_console")["value"]})
    csv = urllib.request.urlopen(request, timeout=10).read().decode()
    check(",10000," in csv and "ZAR 100.00" not in csv, "the download keeps minor units")

    driver.set_window_size(390, 844)  # a phone
    for name, path in (("8a-search-phone", "/console/transactions"), ("8b-transaction-phone", "/console/transactions/" + REFERENCE),
                       ("8c-settlement-phone", settlement_url[len(BASE):]), ("8d-dashboard-phone", "/console"),
                       ("8e-exceptions-phone", "/console/exceptions")):
        driver.get(BASE + path)
        fits_phone(driver, name)
        shot(driver, name)
    driver.get(BASE + "/console/transactions/" + REFERENCE)
    check("ZAR 100.00" in driver.find_element(By.CSS_SELECTOR, ".facts").text, "on a phone, the story shows the amounts too")

    driver.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
    wait_for(driver, 'id="sign-in"')
    check(driver.current_url.endswith("/console/sign-in"), "signing out returns to the sign-in page")
    fits_phone(driver, "9-sign-in-phone")
    shot(driver, "9-sign-in-phone")
    driver.set_window_size(1280, 1000)
    driver.get(BASE + "/console")
    check(driver.current_url.endswith("/console/sign-in"), "after signing out, the console asks to sign in again")
finally:
    driver.quit()

print("screenshots in " + SCREENSHOTS)
sys.exit(1 if failures else 0)
