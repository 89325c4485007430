/** One per feature: a crash in one panel shows a message there and leaves the rest working. */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorMessage } from '../transport/errors.js';

interface Props {
  readonly name: string;
  readonly children: ReactNode;
}

interface State {
  readonly error: unknown;
}

export class FeatureBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error ?? new Error('unknown error') };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`kvs: the ${this.props.name} panel failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <section className="card panel-crashed" role="alert" data-testid="feature-error">
        <h2>{this.props.name}</h2>
        <p className="error-text">
          This panel stopped because of an error: {errorMessage(this.state.error)}
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Reload this panel
        </button>
      </section>
    );
  }
}
