package dev.tollgate.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive client connection of the load generator: sends the request its {@link RequestLane} says is
 * due, times the response, reconnects after a close, timeout or connect failure. Every method runs on the
 * connection's event loop.
 */
final class LoadConnection {

  private static final long RECONNECT_DELAY_MILLIS = 50;

  private final Bootstrap bootstrap;
  private final EventLoop loop;
  private RequestLane lane;
  private final LatencyRecorder recorder;
  private final String pathAndQuery;
  private final HttpHeaders headers;
  private final byte[] body;
  private final long timeoutNanos;
  private final SseStampParser stampParser; // null unless the bodies are stamped
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private Channel channel;
  private boolean stopped;
  private ScheduledFuture<?> wakeup;
  private long wakeupAtNanos = Long.MAX_VALUE;
  private ScheduledFuture<?> timeoutTask;
  // state of the request in flight
  private long intendedNanos = -1;
  private long firstByteNanos;
  private long stampNanos = SseStampParser.NONE;
  private int status;
  private boolean keepAlive;

  LoadConnection(Bootstrap bootstrap, EventLoop loop, LatencyRecorder recorder,
      String pathAndQuery, HttpHeaders headers, byte[] body, long timeoutNanos, boolean stamped) {
    this.bootstrap = bootstrap.clone(loop).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("codec", new HttpClientCodec()).addLast("client", new ResponseHandler());
      }
    });
    this.loop = loop;
    this.recorder = recorder;
    this.pathAndQuery = pathAndQuery;
    this.headers = headers;
    this.body = body;
    this.timeoutNanos = timeoutNanos;
    this.stampParser = stamped ? new SseStampParser() : null;
  }

  /** Completes once the schedule has ended and the last request in flight finished. */
  CompletableFuture<Void> drained() {
    return drained;
  }

  /** Completes after the first connect attempt, whether it succeeded or not. */
  CompletableFuture<Void> connected() {
    return connected;
  }

  /** Opens the connection; no request is sent before {@link #begin}. */
  void connect() {
    loop.execute(this::openChannel);
  }

  /** Starts sending the requests {@code requestLane} makes due. */
  void begin(RequestLane requestLane) {
    loop.execute(() -> {
      lane = requestLane;
      pump();
    });
  }

  /** Stops sending and closes the connection, failing nothing further. */
  void stop() {
    loop.execute(() -> {
      stopped = true;
      if (channel != null) {
        channel.close();
      }
      drained.complete(null);
    });
  }

  private void openChannel() {
    if (stopped) {
      return;
    }
    ChannelFuture connecting = bootstrap.connect();
    connecting.addListener(f -> {
      connected.complete(null);
      if (!f.isSuccess()) {
        failDueRequests();
        loop.schedule(this::openChannel, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      if (stopped) {
        connecting.channel().close();
        return;
      }
      channel = connecting.channel();
      pump();
    });
  }

  /** Without a connection, every request that is due fails as a connect error: its slot in the schedule is gone. */
  private void failDueRequests() {
    if (lane == null) {
      return;
    }
    for (long due = lane.nextToSend(); due != RequestLane.NONE; due = lane.nextToSend()) {
      lane.completed();
      recorder.recordError(ErrorKind.CONNECT, due);
      if (!lane.openLoop()) {
        break; // closed loop: one failed request per connect attempt
      }
    }
    checkDrained();
  }

  /** Sends the next due request if idle, else sets a wakeup for when one becomes due. */
  private void pump() {
    if (stopped || lane == null || channel == null || !channel.isActive()) {
      return;
    }
    long intended = lane.nextToSend();
    if (intended != RequestLane.NONE) {
      send(intended);
      return;
    }
    if (lane.finished()) {
      drained.complete(null);
      return;
    }
    long wakeAt = lane.wakeAtNanos();
    if (!lane.busy() && wakeAt != Long.MAX_VALUE && wakeAt != wakeupAtNanos) {
      if (wakeup != null) {
        wakeup.cancel(false);
      }
      wakeupAtNanos = wakeAt;
      long delayNanos = Math.max(0, wakeAt - recorder.nanoTime());
      wakeup = loop.schedule(() -> {
        wakeupAtNanos = Long.MAX_VALUE;
        pump();
      }, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void send(long intended) {
    intendedNanos = intended;
    firstByteNanos = 0;
    stampNanos = SseStampParser.NONE;
    if (stampParser != null) {
      stampParser.reset();
    }
    status = 0;
    keepAlive = true;
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
        pathAndQuery, Unpooled.wrappedBuffer(body), headers.copy(), EmptyHttpHeaders.INSTANCE);
    Channel sending = channel;
    long startedNanos = recorder.nanoTime();
    sending.writeAndFlush(request, sending.voidPromise());
    long elapsed = startedNanos - intended;
    timeoutTask = loop.schedule(() -> timedOut(sending), Math.max(0, timeoutNanos - Math.max(0, elapsed)),
        TimeUnit.NANOSECONDS);
  }

  private void timedOut(Channel sending) {
    if (intendedNanos < 0 || sending != channel) {
      return;
    }
    recorder.recordError(ErrorKind.TIMEOUT, intendedNanos);
    finishRequest();
    sending.close();
  }

  private void finishRequest() {
    intendedNanos = -1;
    if (timeoutTask != null) {
      timeoutTask.cancel(false);
      timeoutTask = null;
    }
    lane.completed();
  }

  private void onResponseEnd() {
    long intended = intendedNanos;
    if (status >= 500) {
      recorder.recordError(ErrorKind.STATUS_5XX, intended);
    } else if (status >= 400) {
      recorder.recordError(ErrorKind.STATUS_4XX, intended);
    } else {
      recorder.recordSuccess(intended, firstByteNanos == 0 ? recorder.nanoTime() : firstByteNanos, stampNanos);
    }
    finishRequest();
    if (!keepAlive) {
      channel.close();
      return;
    }
    pump();
  }

  private void onClosed(Channel closed) {
    if (closed != channel) {
      return;
    }
    if (intendedNanos >= 0) {
      recorder.recordError(ErrorKind.RESET, intendedNanos);
      finishRequest();
    }
    channel = null;
    if (stopped) {
      return;
    }
    if (lane != null && lane.finished()) {
      drained.complete(null);
      return;
    }
    openChannel();
  }

  private void checkDrained() {
    if (lane.finished()) {
      drained.complete(null);
    }
  }

  /** Terminal client handler: times and counts the response; auto-releases every message. */
  private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (intendedNanos < 0) {
        return; // the rest of a response whose request already timed out
      }
      if (msg instanceof HttpResponse response) {
        status = response.status().code();
        keepAlive = HttpUtil.isKeepAlive(response);
      }
      if (msg instanceof HttpContent content && content.content().isReadable()) {
        if (firstByteNanos == 0) {
          firstByteNanos = recorder.nanoTime();
        }
        readStamp(content);
      }
      if (msg instanceof LastHttpContent) {
        onResponseEnd();
      }
    }

    /** The relay delay is charged to the first body byte, even when the stamp line ends in a later read. */
    private void readStamp(HttpContent content) {
      if (stampParser == null || stampParser.done()) {
        return;
      }
      stampParser.feed(content.content());
      if (stampParser.done()) {
        stampNanos = stampParser.stampNanos();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      onClosed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // resets and decoder failures end the connection; channelInactive counts the request as RESET
      ctx.close();
    }
  }
}
