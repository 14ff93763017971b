# Bootstrapper for PowerShell (Windows, macOS, Linux): checks the .NET SDK and GDAL, builds the task host
# and runs it with the arguments given. `./build.ps1 --target=test` runs the test suite.
$ErrorActionPreference = 'Stop'
$Root = Split-Path -Parent $MyInvocation.MyCommand.Path
Set-Location $Root
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:DOTNET_NOLOGO = '1'

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error "The .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install"; exit 3
}
if ([int]((dotnet --version).Split('.')[0]) -lt 10) { Write-Error ".NET 10 or newer is required."; exit 3 }

function Test-Gdal {
    if ($env:CROPDATA_GDAL_LIBRARY -and (Test-Path $env:CROPDATA_GDAL_LIBRARY)) { return $true }
    if ($IsLinux) { return [bool](ldconfig -p 2>$null | Select-String 'libgdal\.so\.3[2-9]') }
    if ($IsMacOS) { return (Test-Path /opt/homebrew/lib/libgdal.dylib) -or (Test-Path /usr/local/lib/libgdal.dylib) }
    return [bool](Get-Command gdalinfo -ErrorAction SilentlyContinue)
}
if (-not (Test-Gdal)) {
    Write-Error ("GDAL >= 3.6 is required. Linux: sudo apt-get install -y libgdal32 gdal-bin; macOS: brew install gdal; " +
                 "Windows: OSGeo4W or conda 'gdal' (then set CROPDATA_GDAL_LIBRARY to gdal*.dll).")
    exit 3
}

# As build.sh: one compiler server for every project of a build (even where UseSharedCompilation=false is set in the
# environment), shut down afterwards so that no process outlives the script.
function Invoke-Compile([string]$Project) {
    dotnet build $Project -c Release --nologo -v q -clp:ErrorsOnly -p:UseSharedCompilation=true
    $rc = $LASTEXITCODE
    dotnet build-server shutdown --vbcscompiler | Out-Null
    $global:LASTEXITCODE = $rc
}

if ($args -contains '--target=test') {
    $rest = $args | Where-Object { $_ -ne '--target=test' }
    Remove-Item -Recurse -Force "$Root/TestResults" -ErrorAction SilentlyContinue
    # As build.sh: one compile, then three lanes side by side: Build.Tests, Cluster.Tests and the library projects.
    Invoke-Compile "$Root/CropData.sln"
    if ($LASTEXITCODE -ne 0) { Write-Output "0 passed, 1 failed"; exit 1 }
    # The solution holds the host: a later ./build.ps1 need not build it again.
    New-Item -ItemType File -Force "$Root/build/bin/.host-built" | Out-Null
    (Get-Item "$Root/build/bin/.host-built").LastWriteTimeUtc = [DateTime]::UtcNow
    # As build.sh: each lane runs the compiled test assemblies (no MSBuild evaluation, one test console per lane).
    $lanes = foreach ($project in 'CropData.Build.Tests', 'CropData.Cluster.Tests') {
        Start-Job -ScriptBlock {
            param($Root, $project, $rest)
            dotnet test "$Root/tests/$project/bin/Release/net10.0/$project.dll" --nologo --logger trx --results-directory "$Root/TestResults" @rest
            [int]($LASTEXITCODE -ne 0)
        } -ArgumentList $Root, $project, $rest
    }
    $library = (Get-Content "$Root/CropData.LibraryTests.slnf" | ConvertFrom-Json).solution.projects |
        ForEach-Object { $name = ($_ -split '[\\/]')[-1] -replace '\.csproj$', ''; "$Root/tests/$name/bin/Release/net10.0/$name.dll" }
    dotnet test @library --nologo --logger trx --results-directory "$Root/TestResults" @rest
    $rc = $LASTEXITCODE
    foreach ($lane in $lanes) {
        $out = Receive-Job -Job $lane -Wait -AutoRemoveJob
        $out | Select-Object -SkipLast 1 | Write-Output
        if ($rc -eq 0) { $rc = [int]($out | Select-Object -Last 1) }
    }
    $passed = 0; $failed = 0
    foreach ($f in Get-ChildItem "$Root/TestResults" -Filter *.trx -ErrorAction SilentlyContinue) {
        $c = ([xml](Get-Content $f.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$c.passed; $failed += [int]$c.failed
    }
    Write-Output "$passed passed, $failed failed"
    exit $rc
}

# Fast path: no `dotnet build` while the host was built after every file it is built from last changed (the stamp
# is touched after each successful build; MSBuild leaves an up-to-date dll's mtime alone).
$HostDll = "$Root/build/bin/Release/net10.0/cropdata.dll"
$Stamp = "$Root/build/bin/.host-built"
$current = (Test-Path $HostDll) -and (Test-Path $Stamp)
if ($current) {
    $built = (Get-Item $Stamp).LastWriteTimeUtc
    $patterns = '*.cs', '*.csproj', '*.props', '*.targets', '*.json', '*.html', '*.js'
    $newer = Get-ChildItem -Path "$Root/build", "$Root/src" -Recurse -File -Include $patterns |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' -and $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1
    $current = -not $newer -and -not ((Get-Item "$Root/Directory.Build.props").LastWriteTimeUtc -gt $built)
}
if (-not $current) {
    Invoke-Compile "$Root/build/Build.csproj"
    if ($LASTEXITCODE -ne 0) { Write-Error "Building the task host failed."; exit 3 }
    New-Item -ItemType File -Force $Stamp | Out-Null
    (Get-Item $Stamp).LastWriteTimeUtc = [DateTime]::UtcNow
}
dotnet $HostDll @args
exit $LASTEXITCODE
