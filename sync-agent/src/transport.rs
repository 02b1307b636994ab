//! How the agent fetches repository files for tough: HTTP(S) with resumable
//! downloads of content-addressed targets (`Range`; a `200` to a ranged
//! request restarts the file), a size cap against endless data, a deadline
//! per file against a server that trickles bytes, and `file://` for a USB
//! stick (regular files only: a link is never followed). Targets reach
//! tough as a stream of file chunks, never whole in memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tough::{Transport, TransportError, TransportErrorKind, TransportStream};
use url::Url;

/// Attempts within one fetch after a dropped connection.
const ATTEMPTS: u32 = 3;

/// Bytes a file is read in when it is handed to tough.
const CHUNK: usize = 64 * 1024;

/// What a fetch gives tough: metadata as one piece, files as chunks.
enum Body {
    Memory(Bytes),
    File(tokio::fs::File),
}

/// The agent's transport.
#[derive(Debug, Clone)]
pub struct FeedTransport {
    client: reqwest::Client,
    partial_dir: PathBuf,
    max_bytes: u64,
    deadline: Duration,
    received: Arc<AtomicU64>,
}

impl FeedTransport {
    /// `partial_dir` keeps interrupted downloads between attempts and
    /// restarts; `max_bytes` caps any single file; `timeout` is the longest
    /// silence, `deadline` the longest any one file may take (a partial
    /// target is kept, and resumed next time).
    pub fn new(
        partial_dir: &Path,
        max_bytes: u64,
        timeout: Duration,
        deadline: Duration,
    ) -> FeedTransport {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .read_timeout(timeout)
            .user_agent(concat!("gongkai-sync-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("HTTP client");
        FeedTransport {
            client,
            partial_dir: partial_dir.to_path_buf(),
            max_bytes,
            deadline,
            received: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Body bytes received over HTTP since this transport was made.
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn other(url: &Url, why: impl Into<String>) -> TransportError {
        Self::io(url, std::io::Error::other(why.into()))
    }

    fn io(url: &Url, e: std::io::Error) -> TransportError {
        TransportError::new_with_cause(TransportErrorKind::Other, url.as_str(), e)
    }

    async fn fetch_file(&self, url: &Url) -> Result<Body, TransportError> {
        let path = url
            .to_file_path()
            .map_err(|_| Self::other(url, "bad file URL"))?;
        let meta = match tokio::fs::symlink_metadata(&path).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(TransportError::new(
                    TransportErrorKind::FileNotFound,
                    url.as_str(),
                ));
            }
            Err(e) => return Err(Self::io(url, e)),
        };
        // A link on a stick could point anywhere on the box.
        if !meta.file_type().is_file() {
            return Err(Self::other(
                url,
                "not a regular file (links are not followed)",
            ));
        }
        if meta.len() > self.max_bytes {
            return Err(Self::other(
                url,
                format!("file larger than {} bytes", self.max_bytes),
            ));
        }
        tokio::fs::File::open(&path)
            .await
            .map(Body::File)
            .map_err(|e| Self::io(url, e))
    }

    /// Content-addressed files (`<sha256>.<name>`) never change, so a
    /// partial download of one may be resumed.
    fn resumable(url: &Url) -> bool {
        let last = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or("");
        last.len() > 65
            && last.as_bytes()[64] == b'.'
            && last[..64].bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// One file over HTTP within the deadline, however slowly it arrives.
    async fn fetch_http(&self, url: &Url) -> Result<Body, TransportError> {
        match tokio::time::timeout(self.deadline, self.fetch_http_attempts(url)).await {
            Ok(r) => r,
            Err(_) => {
                tracing::warn!(%url, deadline = ?self.deadline, "download too slow; given up (a partial target is resumed next time)");
                Err(Self::other(
                    url,
                    format!(
                        "download took longer than {} s (sync.download_timeout_secs)",
                        self.deadline.as_secs()
                    ),
                ))
            }
        }
    }

    async fn fetch_http_attempts(&self, url: &Url) -> Result<Body, TransportError> {
        let resumable = Self::resumable(url);
        let partial = self.partial_dir.join(format!(
            "{}.part",
            url.path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or("file")
                .get(..64)
                .unwrap_or("file")
        ));
        let mut last_error = String::new();
        for attempt in 0..ATTEMPTS {
            let have = if resumable {
                tokio::fs::metadata(&partial)
                    .await
                    .map(|m| m.len())
                    .unwrap_or(0)
            } else {
                0
            };
            let mut req = self.client.get(url.clone());
            if have > 0 {
                req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    last_error = format!("{e}");
                    if e.is_connect() {
                        break; // the server is down: no point hammering it
                    }
                    continue;
                }
            };
            let status = resp.status();
            if status == reqwest::StatusCode::NOT_FOUND {
                return Err(TransportError::new(
                    TransportErrorKind::FileNotFound,
                    url.as_str(),
                ));
            }
            if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE {
                let _ = tokio::fs::remove_file(&partial).await;
                last_error = "416 to a ranged request; restarting".into();
                continue;
            }
            if !(status == reqwest::StatusCode::OK
                || (status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0))
            {
                return Err(Self::other(url, format!("HTTP {status}")));
            }
            let append = status == reqwest::StatusCode::PARTIAL_CONTENT;
            let io_err = |e| Self::io(url, e);
            // Metadata goes to memory; content-addressed targets to a
            // partial file that survives an interruption.
            let mut sink = if resumable {
                tokio::fs::create_dir_all(&self.partial_dir)
                    .await
                    .map_err(io_err)?;
                let file = tokio::fs::OpenOptions::new()
                    .create(true)
                    .write(true)
                    .append(append)
                    .truncate(!append)
                    .open(&partial)
                    .await
                    .map_err(io_err)?;
                Sink::File(file)
            } else {
                Sink::Memory(Vec::new())
            };
            let mut size = if append { have } else { 0 };
            let mut body = resp.bytes_stream();
            let mut failed = None;
            while let Some(chunk) = body.next().await {
                let c = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                };
                self.received.fetch_add(c.len() as u64, Ordering::Relaxed);
                size += c.len() as u64;
                if size > self.max_bytes {
                    drop(sink);
                    let _ = tokio::fs::remove_file(&partial).await;
                    return Err(Self::other(url, "file larger than the limit"));
                }
                if let Err(e) = sink.put(&c).await {
                    failed = Some(e.to_string());
                    break;
                }
            }
            let file = match sink {
                Sink::Memory(buf) if failed.is_none() => return Ok(Body::Memory(Bytes::from(buf))),
                Sink::Memory(_) => None,
                Sink::File(mut f) => {
                    let _ = f.flush().await;
                    Some(f)
                }
            };
            drop(file);
            if let Some(e) = failed {
                tracing::info!(%url, attempt, kept = size, error = %e, "download interrupted; will resume");
                last_error = e;
                continue;
            }
            let file = tokio::fs::File::open(&partial)
                .await
                .map_err(|e| Self::io(url, e))?;
            // Verified by tough as it reads; a bad file must not be
            // resumed. The open file is read to its end all the same.
            let _ = tokio::fs::remove_file(&partial).await;
            return Ok(Body::File(file));
        }
        Err(Self::other(url, last_error))
    }
}

/// Where a download's body goes.
enum Sink {
    Memory(Vec<u8>),
    File(tokio::fs::File),
}

impl Sink {
    async fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Memory(v) => {
                v.extend_from_slice(bytes);
                Ok(())
            }
            Sink::File(f) => f.write_all(bytes).await,
        }
    }
}

#[async_trait]
impl Transport for FeedTransport {
    async fn fetch(&self, url: Url) -> Result<TransportStream, TransportError> {
        let body = match url.scheme() {
            "file" => self.fetch_file(&url).await?,
            "http" | "https" => self.fetch_http(&url).await?,
            _ => {
                return Err(TransportError::new(
                    TransportErrorKind::UnsupportedUrlScheme,
                    url.as_str(),
                ));
            }
        };
        Ok(match body {
            Body::Memory(bytes) => Box::pin(futures::stream::once(async move { Ok(bytes) })),
            Body::File(file) => Box::pin(chunks(file, url)),
        })
    }
}

/// A file as a stream of chunks of at most [`CHUNK`] bytes.
fn chunks(
    file: tokio::fs::File,
    url: Url,
) -> impl futures::Stream<Item = Result<Bytes, TransportError>> + Send {
    futures::stream::try_unfold((file, url), |(mut file, url)| async move {
        let mut buf = vec![0; CHUNK];
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| FeedTransport::io(&url, e))?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), (file, url))))
    })
}
