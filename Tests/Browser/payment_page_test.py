"""Chat 2 Pay's payment page in a real browser (issue 17): headless Chromium, driven by Selenium, at a phone's size
and a desk's. For each size it opens a payment link the demo merchant was given, checks what the page shows (the
merchant, the order, the amounts, the form; no script, nothing wider than the screen, no program's placeholder),
pays, and checks the outcome on the page and through the API; a second link is declined by the simulated bank (an
account ending 2010) and the page says so. A screenshot of every page goes to SCREENSHOTS. Run by
scripts/browser-test against a live `transact serve`."""
import json
import os
import re
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["PAY_BASE"]
TOKEN = os.environ["PAY_TOKEN"]  # the demo client's bearer token
SCREENSHOTS = os.environ["SCREENSHOTS"]
HEADERS = {"Authorization": "Bearer " + TOKEN, "X-API-Key": "demo-api-key-change-me", "Content-Type": "application/json"}
PLACEHOLDERS = re.compile(r"\b(nil|null|None|undefined|NaN)\b|Optional\(|<null>|\{\{")

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def api(method, path, body=None):
    request = urllib.request.Request(BASE + path, method=method, headers=HEADERS,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def payment_request(order, total):
    return api("POST", "/api/v2/chat-2-pay", {
        "clientId": 200, "channel": "sms", "to": "27831234567", "currency": "ZAR", "orderNumber": order,
        "subTotalAmount": total - total // 10, "taxAmount": total // 10, "totalAmount": total,
        "timestamp": "2026-12-04T10:00:00Z", "returnPaymentLink": True})


def shot(driver, name):
    driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))
    body = body_text(driver)
    shown = PLACEHOLDERS.search(body)
    check(shown is None, "%s shows no placeholder%s" % (name, "" if shown is None else " (found %r)" % shown.group(0)))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    viewport = driver.execute_script("return window.innerWidth")
    check(width <= viewport, "%s fits the screen (%s px of %s)" % (name, width, viewport))
    check(not driver.find_elements(By.TAG_NAME, "script"), "%s has no script" % name)


def wait_for(driver, title):
    """Waits (up to 15 s) for the page titled `title`: the answer to a submission has loaded."""
    try:
        WebDriverWait(driver, 15).until(lambda d: d.title == title)
    except Exception:
        pass


def body_text(driver):
    """The page's text, read again if the page changed under the read."""
    for _ in range(20):
        try:
            return driver.find_element(By.TAG_NAME, "body").text
        except StaleElementReferenceException:
            time.sleep(0.1)
    return ""


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
try:
    for size, (width, height) in (("phone", (390, 844)), ("desk", (1280, 900))):
        driver.set_window_size(width, height)
        created = payment_request("browser-%s" % size, 12345)
        check(created["transactionStatus"] == "PAYMENT_LINK_SENT", "%s: the request is sent (%s)" % (size, created["transactionStatus"]))
        driver.get(created["paymentLink"])
        text = body_text(driver)
        check("Demo Store" in text and "browser-%s" % size in text, "%s: the page names the merchant and the order" % size)
        check("ZAR 123.45" in text and "ZAR 12.34" in text, "%s: the amounts in major units with their currency" % size)
        shot(driver, "pay-%s-1-form" % size)
        button = driver.find_element(By.CSS_SELECTOR, "button[type=submit]")
        check(button.is_displayed() and "ZAR 123.45" in button.text, "%s: the pay button says what is paid (%r)" % (size, button.text))
        driver.find_element(By.NAME, "accountIdentifier").send_keys("1234567890")
        driver.find_element(By.NAME, "authCode").send_keys("1234")
        button.click()
        wait_for(driver, "Payment approved")
        check("Paid: ZAR 123.45 to Demo Store" in body_text(driver), "%s: the page says it is paid" % size)
        shot(driver, "pay-%s-2-paid" % size)
        state = api("GET", "/api/v2/chat-2-pay/" + created["paymentLinkRef"])
        check(state["transactionStatus"] == "CAPTURED", "%s: the request is CAPTURED (%s)" % (size, state["transactionStatus"]))
        # Back and submit again (the browser's resubmission): the outcome, not a second charge.
        driver.back()
        driver.refresh()
        wait_for(driver, "Payment approved")
        check("Paid" in body_text(driver), "%s: the link opened again shows the payment" % size)

        declined = payment_request("browser-%s-declined" % size, 5000)
        driver.get(declined["paymentLink"])
        driver.find_element(By.NAME, "accountIdentifier").send_keys("5555552010")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(driver, "Payment declined")
        check("Your bank declined the payment: Insufficient funds" in body_text(driver),
              "%s: a decline shows the bank's message" % size)
        shot(driver, "pay-%s-3-declined" % size)
except Exception:
    print(driver.page_source[:3000])
    raise
finally:
    driver.quit()

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("every check passed")
