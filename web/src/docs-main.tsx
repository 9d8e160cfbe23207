import { render } from 'preact';
import { Header } from './components/Header';
import { DocsApp } from './docs/DocsApp';
import './styles.css';

render(
  <>
    <Header workspaceName={null} />
    <DocsApp />
  </>,
  document.getElementById('app')!,
);
