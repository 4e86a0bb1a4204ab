//! A headless Chromium per test: chromedriver on a free port in its own process group
//! (killed as a group on drop, so Chromium never outlives the test), a fresh profile
//! directory, and waiting helpers that poll for what Yew renders instead of sleeping.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);

/// Where screenshots go: `<repo>/target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
}

/// chromedriver's process group; killing it takes Chromium and its helpers along.
struct ProcessGroup {
    child: Child,
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary Chromium profile, removed on drop.
struct Profile(PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Browser {
    driver: Option<WebDriver>,
    // Dropped after the driver: the session first, then the processes, then the profile.
    _chromedriver: ProcessGroup,
    _profile: Profile,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Browser {
    /// Starts chromedriver and a Chromium session; `None` when `SKIP_BROWSER_TESTS=1`.
    pub async fn start() -> Option<Browser> {
        Self::start_with_zone(None).await
    }

    /// The same with the browser's clock in another IANA zone (`TZ`), as for a person
    /// elsewhere in the world.
    pub async fn start_in_zone(zone: &str) -> Option<Browser> {
        Self::start_with_zone(Some(zone)).await
    }

    async fn start_with_zone(zone: Option<&str>) -> Option<Browser> {
        if std::env::var("SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1") {
            eprintln!("SKIP_BROWSER_TESTS=1: skipping a browser test");
            return None;
        }
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(tool).exists(),
                "{tool} is missing: run web/install-browser.sh (or set SKIP_BROWSER_TESTS=1)"
            );
        }
        let index = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/dist/index.html");
        assert!(
            index.exists(),
            "the web UI is not built ({}): run web/build.sh",
            index.display()
        );

        let profile = Profile(std::env::temp_dir().join(format!(
            "asyncstand-chromium-{}",
            uuid::Uuid::new_v4().simple()
        )));
        std::fs::create_dir_all(&profile.0).expect("profile dir");

        // The port can be taken between probing and binding; try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut command = Command::new(CHROMEDRIVER);
            if let Some(zone) = zone {
                command.env("TZ", zone);
            }
            let child = command
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("start chromedriver");
            let group = ProcessGroup { child };
            let url = format!("http://127.0.0.1:{port}");
            if !wait_for_chromedriver(&url).await {
                last_error = format!("chromedriver did not answer on {url}");
                continue;
            }

            let mut caps = DesiredCapabilities::chrome();
            caps.set_binary(CHROMIUM).expect("binary");
            for arg in [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--disable-crash-reporter",
                "--disable-breakpad",
                "--window-size=1280,900",
            ] {
                caps.add_arg(arg).expect("arg");
            }
            caps.add_arg(&format!("--user-data-dir={}", profile.0.display()))
                .expect("arg");

            match WebDriver::new(&url, caps).await {
                Ok(driver) => {
                    return Some(Browser {
                        driver: Some(driver),
                        _chromedriver: group,
                        _profile: profile,
                    });
                }
                Err(e) => last_error = format!("new session: {e}"),
            }
        }
        panic!("could not start Chromium: {last_error}");
    }

    fn driver(&self) -> &WebDriver {
        self.driver.as_ref().expect("driver")
    }

    pub async fn goto(&self, url: &str) {
        self.driver().goto(url).await.expect("goto");
    }

    pub async fn reload(&self) {
        self.driver().refresh().await.expect("reload");
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.driver()
            .set_window_rect(0, 0, width, height)
            .await
            .expect("resize");
    }

    pub async fn path(&self) -> String {
        self.driver()
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned()
    }

    pub async fn find(&self, css: &str) -> WebElement {
        self.wait_present(css).await
    }

    pub async fn count(&self, css: &str) -> usize {
        self.driver()
            .find_all(By::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Replaces an input's value by typing (so Yew sees `input` events).
    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.wait_present(css).await;
        input.clear().await.expect("clear");
        // `clear` does not always fire `input`; select-all + delete does.
        input
            .send_keys(Key::Control + "a")
            .await
            .expect("select all");
        input.send_keys(Key::Backspace).await.expect("delete");
        input.send_keys(value).await.expect("type");
    }

    /// Picks the option of a `<select>` whose text is `text` (fires `change`).
    pub async fn select_text(&self, css: &str, text: &str) {
        let select = self.wait_present(css).await;
        thirtyfour::components::SelectElement::new(&select)
            .await
            .expect("select")
            .select_by_exact_text(text)
            .await
            .expect("option");
    }

    /// Clicks an element once it is displayed and enabled.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(el) = self.driver().find(By::Css(css)).await
                && el.is_displayed().await.unwrap_or(false)
                && el.is_enabled().await.unwrap_or(false)
                && el.click().await.is_ok()
            {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{css} never became clickable")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_present(&self, css: &str) -> WebElement {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(el) = self.driver().find(By::Css(css)).await {
                return el;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{css} never appeared")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while self.count(css).await > 0 {
            if Instant::now() > deadline {
                self.fail(&format!("{css} never went away")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until some element matching `css` contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> WebElement {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            seen.clear();
            if let Ok(elements) = self.driver().find_all(By::Css(css)).await {
                for el in elements {
                    if let Ok(t) = el.text().await {
                        if t.contains(text) {
                            return el;
                        }
                        seen.push(t);
                    }
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {css} containing {text:?}; saw {seen:?}"))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let current = self.path().await;
            if current == path {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("path stayed {current:?}, expected {path:?}"))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs a script and returns its JSON result.
    pub async fn script_value(&self, script: &str) -> serde_json::Value {
        self.driver()
            .execute(script, Vec::new())
            .await
            .expect("script")
            .json()
            .clone()
    }

    /// Replaces the text of GraphiQL's query editor by typing into it.
    pub async fn type_in_graphiql(&self, query: &str) {
        self.click(".graphiql-query-editor .CodeMirror-lines").await;
        self.driver()
            .action_chain()
            .key_down(Key::Control)
            .send_keys("a")
            .key_up(Key::Control)
            .send_keys(Key::Backspace)
            .send_keys(query)
            .perform()
            .await
            .expect("type");
        // GraphiQL may open an autocomplete popup; close it.
        self.driver()
            .action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await
            .expect("escape");
        let value = self
            .script_value(
                "return document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue();",
            )
            .await;
        assert_eq!(
            value.as_str(),
            Some(query),
            "the editor holds something else"
        );
    }

    /// Saves `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        // Let transitions and fonts settle; screenshots are for people to look at.
        tokio::time::sleep(Duration::from_millis(250)).await;
        self.driver()
            .screenshot(&dir.join(format!("{name}.png")))
            .await
            .expect("screenshot");
    }

    /// Fails the test with the URL, a screenshot and the start of the page.
    async fn fail(&self, what: &str) -> ! {
        let url = self
            .driver()
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        let shot = dir.join(format!("failure-{}.png", uuid::Uuid::new_v4().simple()));
        let _ = self.driver().screenshot(&shot).await;
        let body = self.driver().find(By::Tag("body")).await.ok();
        let text = match body {
            Some(b) => b.text().await.unwrap_or_default(),
            None => String::new(),
        };
        let logs = self
            .script_value("return (window.__errors || []).join('\\n');")
            .await;
        panic!(
            "{what}\n  at {url}\n  screenshot {}\n  page text: {}\n  {logs}",
            shot.display(),
            text.chars().take(1500).collect::<String>()
        );
    }

    /// Ends the session (also done, less politely, on drop).
    pub async fn quit(mut self) {
        if let Some(driver) = self.driver.take() {
            let _ = driver.quit().await;
        }
    }
}

async fn wait_for_chromedriver(url: &str) -> bool {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(resp) = client.get(format!("{url}/status")).send().await
            && resp.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
