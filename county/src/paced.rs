//! Sockets whose writes must keep moving. `county serve` wraps each
//! connection in [`Paced`], so a client that takes its answer too slowly
//! (or not at all) cannot hold the connection, and its slot under the
//! connection cap, for as long as the answer lasts.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Bytes a client must take to earn back one window of waiting: about
/// 550 bytes a second with the default 30-second window, far below any
/// real terminal's link.
pub const MIN_BYTES_PER_WINDOW: u64 = 16 * 1024;

/// A socket whose writes draw on a credit of waiting time: at most one
/// `window`, spent while a write waits for the client to take bytes, and
/// earned back at one window per [`MIN_BYTES_PER_WINDOW`] bytes written.
/// When the credit runs out during a wait the write fails (`TimedOut`)
/// and the server drops the connection. Time between requests is not
/// waiting (the header timeout covers that); a client that keeps up with
/// the rate is never cut off, one that stops or trickles is cut off about
/// one window after the socket's buffers are full.
pub struct Paced<IO> {
    io: IO,
    window: Duration,
    credit: Duration,
    /// Since when the current write has waited, and when its credit ends.
    waiting: Option<(Instant, Pin<Box<Sleep>>)>,
}

impl<IO> Paced<IO> {
    pub fn new(io: IO, window: Duration) -> Paced<IO> {
        Paced {
            io,
            window,
            credit: window,
            waiting: None,
        }
    }

    fn account(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match r {
            Poll::Pending => {
                let credit = self.credit;
                let (_, ends) = self.waiting.get_or_insert_with(|| {
                    let now = Instant::now();
                    (now, Box::pin(tokio::time::sleep_until(now + credit)))
                });
                if ends.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.waiting = None;
                self.credit = Duration::ZERO;
                tracing::debug!("client takes its answer too slowly: connection closed");
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "client takes its answer too slowly",
                )))
            }
            Poll::Ready(Ok(n)) => {
                if let Some((since, _)) = self.waiting.take() {
                    self.credit = self.credit.saturating_sub(since.elapsed());
                }
                let earned = self
                    .window
                    .mul_f64((n as f64 / MIN_BYTES_PER_WINDOW as f64).min(1.0));
                self.credit = (self.credit + earned).min(self.window);
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => {
                self.waiting = None;
                Poll::Ready(Err(e))
            }
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Paced<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Paced<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write(cx, buf);
        this.account(cx, r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.account(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn a_reader_that_stops_is_cut_off_one_that_keeps_up_is_not() {
        let window = Duration::from_secs(30);
        // Keeps up: 4 KiB every 5 seconds (earns 7.5 s per 5 s waited).
        let (server, mut client) = tokio::io::duplex(4096);
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_secs(5)).await;
                let _ = client.read(&mut buf).await.unwrap();
            }
        });
        let mut w = Paced::new(server, window);
        tokio::time::timeout(window * 10, w.write_all(&vec![1u8; 4096 * 30]))
            .await
            .unwrap()
            .unwrap();
        reader.abort();
        // Stops after 4 KiB: the write fails one window after the wait began.
        let (server, client) = tokio::io::duplex(4096);
        let mut w = Paced::new(server, window);
        let t0 = Instant::now();
        let e = tokio::time::timeout(window * 3, w.write_all(&vec![1u8; 4096 * 30]))
            .await
            .expect("still waiting after three windows")
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(
            t0.elapsed() <= window + Duration::from_secs(1),
            "{:?}",
            t0.elapsed()
        );
        drop(client);
    }
}
