//! The Docker image, without a Docker engine: the binary run the way the image runs it — as the
//! image's numeric user (`setpriv`), with only the environment the `Dockerfile` sets, the fonts
//! at the paths it copies them to. Needs root (to change user) and the Noto fonts; without them
//! the test says why and skips, except under `CI=true`, where `.ci/run` provides both.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::Server;

const DOCKERFILE: &str = include_str!("../../Dockerfile");

/// The final stage of the Dockerfile: its `ENV` settings, `USER` and `COPY --from=fonts` sources.
struct Recipe {
    env: BTreeMap<String, String>,
    user: (u32, u32),
    font_files: Vec<PathBuf>,
}

fn recipe() -> Recipe {
    // Continuation lines joined, then only the last stage read.
    let joined = DOCKERFILE.replace("\\\n", " ");
    let stage = joined.rsplit("\nFROM ").next().unwrap();
    let mut env = BTreeMap::new();
    let mut user = None;
    let mut font_files = Vec::new();
    for line in stage.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("ENV") => {
                for pair in words {
                    let (name, value) = pair.split_once('=').unwrap();
                    env.insert(name.to_owned(), value.to_owned());
                }
            }
            Some("USER") => {
                let (uid, gid) = words.next().unwrap().split_once(':').unwrap();
                user = Some((uid.parse().unwrap(), gid.parse().unwrap()));
            }
            Some("COPY") if line.contains("--from=fonts") => {
                let paths: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
                font_files.extend(paths[..paths.len() - 1].iter().map(PathBuf::from));
            }
            _ => {}
        }
    }
    Recipe {
        env,
        user: user.expect("the image names a numeric user"),
        font_files,
    }
}

/// How this process may act as another user: directly as root, or through `sudo -n`. `None`
/// (after saying why, or failing under `CI=true`) when it cannot, or when the image's fonts are
/// not installed here.
fn privilege(recipe: &Recipe) -> Option<Vec<String>> {
    let missing: Vec<&PathBuf> = recipe.font_files.iter().filter(|f| !f.exists()).collect();
    let succeeds = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|out| out.status.success())
    };
    let root = nix::unistd::geteuid().is_root();
    let why = if !succeeds("setpriv", &["--version"]) {
        "setpriv is missing: apt-get install util-linux".to_owned()
    } else if !missing.is_empty() {
        format!(
            "the image's fonts are not installed here ({missing:?}): apt-get install fonts-noto-cjk fonts-noto-color-emoji fonts-noto-core"
        )
    } else if root {
        return Some(Vec::new());
    } else if succeeds("sudo", &["-n", "true"]) {
        return Some(vec!["sudo".to_owned(), "-n".to_owned()]);
    } else {
        "changing to the image's user needs root or passwordless sudo".to_owned()
    };
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
    eprintln!("skipped: {why}");
    None
}

/// `args` of the binary, run as the image's user with exactly `env` (and `PATH`): `env -i`
/// then `setpriv`, behind `privilege`.
fn as_image_user(
    recipe: &Recipe,
    privilege: &[String],
    env: &[(String, String)],
    binary: &Path,
    args: &[&str],
) -> Command {
    let (uid, gid) = recipe.user;
    let mut words: Vec<String> = privilege.to_vec();
    words.extend(["env".to_owned(), "-i".to_owned()]);
    words.extend(env.iter().map(|(name, value)| format!("{name}={value}")));
    words.extend([
        "setpriv".to_owned(),
        format!("--reuid={uid}"),
        format!("--regid={gid}"),
        "--clear-groups".to_owned(),
        "--".to_owned(),
        binary.display().to_string(),
    ]);
    words.extend(args.iter().map(|arg| (*arg).to_owned()));
    let mut command = Command::new(&words[0]);
    command.args(&words[1..]);
    command
}

/// A folder the image's user owns, for the binary and the card; removed when the test ends.
fn scratch_dir(recipe: &Recipe, privilege: &[String]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("apercu-image-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let owner = format!("{}:{}", recipe.user.0, recipe.user.1);
    let mut chown = Command::new(privilege.first().map_or("chown", String::as_str));
    chown.args(privilege.iter().skip(1));
    if !privilege.is_empty() {
        chown.arg("chown");
    }
    assert!(
        chown
            .arg(&owner)
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_run_as_the_image_runs_it_is_healthy_and_draws_japanese() {
    let recipe = recipe();
    assert_eq!(recipe.env["APERCU_LISTEN"], "0.0.0.0:8080");
    assert!(recipe.user.0 != 0, "the image must not run as root");
    let Some(privilege) = privilege(&recipe) else {
        return;
    };
    let scratch = scratch_dir(&recipe, &privilege);
    let dir = scratch.path();
    let binary = dir.join("apercu");
    std::fs::copy(env!("CARGO_BIN_EXE_apercu"), &binary).unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The image's environment, but on a loopback port: tests never listen beyond loopback.
    let port = crate::process::free_port();
    let mut env: Vec<(String, String)> = recipe.env.clone().into_iter().collect();
    env.retain(|(name, _)| name != "APERCU_LISTEN");
    env.push(("APERCU_LISTEN".to_owned(), format!("127.0.0.1:{port}")));
    env.push(("PATH".to_owned(), "/usr/local/bin:/usr/bin:/bin".to_owned()));

    let serve = as_image_user(&recipe, &privilege, &env, &binary, &["serve"]);
    let server = Server::spawn(serve, port).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.serving_pid())).unwrap();
    let uid = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert_eq!(
        uid.split_whitespace().nth(1),
        Some(recipe.user.0.to_string().as_str()),
        "{uid}"
    );
    // The image's HEALTHCHECK command, same user, same environment.
    let healthy = as_image_user(&recipe, &privilege, &env, &binary, &["healthcheck"])
        .output()
        .unwrap();
    assert!(
        healthy.status.success(),
        "{}",
        String::from_utf8_lossy(&healthy.stderr)
    );

    // A Japanese card, drawn with the fonts the image carries.
    let page = dir.join("ja.html");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/articles/shift-jis-meta-ja.html"
        ),
        &page,
    )
    .unwrap();
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o644)).unwrap();
    let card = dir.join("card.png");
    let (page_arg, card_arg) = (page.display().to_string(), card.display().to_string());
    let args = [
        "render",
        &page_arg,
        "-o",
        &card_arg,
        "--base-url",
        "https://news.example.jp/article",
    ];
    let rendered = as_image_user(&recipe, &privilege, &env, &binary, &args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    assert!(rendered.status.success(), "{stderr}");
    assert!(!stderr.contains("no glyph"), "{stderr}");
    let drawn = image::open(&card).unwrap();
    assert_eq!((drawn.width(), drawn.height()), (1200, 630));
    drop(server);
}
