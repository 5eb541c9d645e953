"""The support console in a real browser (issue 7): headless Chromium, driven by Selenium, signs in with the demo
support user, searches for a purchase, opens its page, resends its result, and checks what each page shows.
A screenshot of every page goes to SCREENSHOTS. Run by scripts/browser-test against a live `transact serve`."""
import os
import sys

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


def shot(driver, name):
    driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))


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
    driver.find_element(By.NAME, "clientTxnRef").send_keys(CLIENT_TXN_REF)
    driver.find_element(By.ID, "search").click()
    wait_for(driver, 'id="results"')
    rows = driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    row = rows[0].get_attribute("textContent") if rows else ""
    check(len(rows) == 1 and REFERENCE in row and "SUCCESS" in row,
          "the search finds the purchase by its clientTxnRef")
    shot(driver, "3-search")

    driver.find_element(By.LINK_TEXT, REFERENCE).click()
    wait_for(driver, 'id="timeline"')
    timeline = driver.find_element(By.ID, "timeline").text
    for step in ("reserving", "bank reserveFunds", "vendor vend", "ledger post", "result acknowledged"):
        check(step in timeline, "the timeline shows '%s'" % step)
    check(CLIENT_TXN_REF in driver.page_source, "the transaction page shows its clientTxnRef")
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
    shot(driver, "7-settlement")

    driver.set_window_size(390, 844)  # a phone
    driver.get(BASE + "/console/transactions/" + REFERENCE)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 400, "the transaction page fits a phone's width (%s px)" % width)
    shot(driver, "8-transaction-phone")

    driver.set_window_size(1280, 1000)
    driver.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
    wait_for(driver, 'id="sign-in"')
    check(driver.current_url.endswith("/console/sign-in"), "signing out returns to the sign-in page")
    driver.get(BASE + "/console")
    check(driver.current_url.endswith("/console/sign-in"), "after signing out, the console asks to sign in again")
finally:
    driver.quit()

print("screenshots in " + SCREENSHOTS)
sys.exit(1 if failures else 0)
