// A panel never goes blank: a render error shows what failed, where, and a way to try again; the host logs it.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  onError(message: string, stack?: string): void;
}

export class ErrorBoundary extends Component<Props, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    this.props.onError(error.message, `${error.stack ?? ''}\n${info.componentStack ?? ''}`);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="fb-failure">
        <h2>This panel hit an error</h2>
        <p>{error.message}</p>
        <pre>{error.stack?.split('\n').slice(0, 6).join('\n')}</pre>
        <button type="button" onClick={() => this.setState({ error: undefined })}>
          Try again
        </button>
      </div>
    );
  }
}
